#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace bridgecast::client {

// What one point received, summed over its connection attempts. Written from
// GStreamer streaming threads, read from the main loop.
struct MediaCounters {
  // Complete H.264 access units, from each attempt's first keyframe on.
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> keyframes{0};  // access units without DELTA_UNIT
  std::atomic<uint64_t> decoded{0};    // frames out of the decoder
  std::atomic<int> width{0};           // from the decoder's caps, 0 if unknown
  std::atomic<int> height{0};
  // Decoded frames whose capture stamp did not read (none, or misread).
  std::atomic<uint64_t> stamps_unread{0};
  // Video RTP packets dropped on purpose (ReceiverOptions::drop_video_every).
  std::atomic<uint64_t> dropped{0};

  // Glass-to-glass: wall clock at decoder output minus the capture stamp.
  void AddLatency(double ms) {
    std::lock_guard lock(latency_mutex_);
    latency_ms_.push_back(ms);
  }
  std::vector<double> Latencies() const {
    std::lock_guard lock(latency_mutex_);
    return latency_ms_;
  }

 private:
  mutable std::mutex latency_mutex_;
  std::vector<double> latency_ms_;
};

}  // namespace bridgecast::client
