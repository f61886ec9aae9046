#pragma once

#include <chrono>

#include "base/units.hpp"

namespace bridgecast::media {

struct ProgramConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  Bitrate video_bitrate = Bitrate::KilobitsPerSecond(1500);
  Bitrate audio_bitrate = Bitrate::KilobitsPerSecond(64);
  // x264's CBR filler: a calm test pattern otherwise encodes far below the
  // nominal rate, which hides the real packet rate from load tests.
  bool cbr_filler = false;
  // Writes each frame's capture time into its top rows just before the
  // encoder (media/capture_stamp.hpp), for glass-to-glass measurements and
  // the archive tests. Off on air: it is a visible strip in the picture.
  bool capture_stamp = false;
  std::chrono::milliseconds keyframe_interval{2000};
  // Least time between two keyframes asked for by joining points.
  std::chrono::milliseconds keyframe_min_gap{500};
};

}  // namespace bridgecast::media
