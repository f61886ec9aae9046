#pragma once

#include <chrono>
#include <string>

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
  // The test pattern writes each frame's capture time into its top rows
  // (media/capture_stamp.hpp), for glass-to-glass measurements and the
  // archive tests. Off on air: it is a visible strip in the picture.
  bool capture_stamp = false;
  std::chrono::milliseconds keyframe_interval{2000};
  // Least time between two keyframes asked for by joining points.
  std::chrono::milliseconds keyframe_min_gap{500};
  // The slate, under every source: shown when none is on air. A still (PNG,
  // JPEG) scaled to the program, or else `slate_title` and `slate_text`
  // drawn on plain blue.
  std::string slate_image;
  std::string slate_title;
  std::string slate_text = "Đang khôi phục tín hiệu từ điểm cầu trung tâm…";
};

}  // namespace bridgecast::media
