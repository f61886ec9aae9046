#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace bridgecast::signaling {

struct HlsSegment {
  std::string uri;
  std::chrono::milliseconds duration{0};
  unsigned run = 0;  // a new run starts with a discontinuity (timestamps restart)
};

// An HLS media playlist (RFC 8216) of complete segments, in order: type VOD
// with an end, or EVENT while the session is still being recorded (players
// reload it). Segments of zero duration are left out.
std::string HlsPlaylist(const std::vector<HlsSegment>& segments, bool still_recording);

}  // namespace bridgecast::signaling
