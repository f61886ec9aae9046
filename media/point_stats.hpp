#pragma once

#include <chrono>
#include <cstdint>

namespace bridgecast::media {

// Link health of one point, from webrtcbin's stats (outbound-rtp and the
// receiver's RTCP reports, remote-inbound-rtp).
struct PointStats {
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  int64_t packets_lost = 0;
  double fraction_lost = 0.0;
  std::chrono::microseconds jitter{0};
  std::chrono::microseconds round_trip{0};
  uint64_t nacks_received = 0;
  uint64_t plis_received = 0;
};

}  // namespace bridgecast::media
