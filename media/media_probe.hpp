#pragma once

#include <chrono>
#include <string>

#include "base/result.hpp"

namespace bridgecast::media {

struct MediaInfo {
  std::chrono::milliseconds duration{0};
  bool video = false;
  bool audio = false;
  std::string video_codec;  // e.g. "video/x-h264"
  std::string audio_codec;
};

// Opens and prerolls a media file with GStreamer's discoverer (it decodes the
// first frames of each stream). Errors: media_unreadable (with the reason).
// Blocks up to `timeout`; call gst_init first.
Result<MediaInfo> ProbeMedia(const std::string& path,
                             std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace bridgecast::media
