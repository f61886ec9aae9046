#pragma once

#include <compare>
#include <cstdint>

namespace bridgecast {

// A data rate; never a bare integer whose unit the reader has to guess.
class Bitrate {
 public:
  constexpr Bitrate() = default;
  static constexpr Bitrate BitsPerSecond(int64_t bps) { return Bitrate(bps); }
  static constexpr Bitrate KilobitsPerSecond(int64_t kbps) { return Bitrate(kbps * 1000); }
  constexpr int64_t bps() const { return bps_; }
  constexpr int64_t kbps() const { return bps_ / 1000; }
  constexpr auto operator<=>(const Bitrate&) const = default;

 private:
  constexpr explicit Bitrate(int64_t bps) : bps_(bps) {}
  int64_t bps_ = 0;
};

}  // namespace bridgecast
