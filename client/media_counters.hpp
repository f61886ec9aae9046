#pragma once

#include <atomic>
#include <cstdint>

namespace bridgecast::client {

// What one point received, summed over its connection attempts. Written from
// GStreamer streaming threads, read from the main loop.
struct MediaCounters {
  std::atomic<uint64_t> frames{0};     // complete H.264 access units
  std::atomic<uint64_t> keyframes{0};  // access units without DELTA_UNIT
  std::atomic<uint64_t> decoded{0};    // frames out of the decoder
  std::atomic<int> width{0};           // from the decoder's caps, 0 if unknown
  std::atomic<int> height{0};
};

}  // namespace bridgecast::client
