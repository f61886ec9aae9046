#include "base/units.hpp"

#include <catch2/catch.hpp>

#include "base/clock.hpp"

namespace bridgecast {

TEST_CASE("Bitrate converts between units and compares") {
  constexpr Bitrate rate = Bitrate::KilobitsPerSecond(1500);
  STATIC_REQUIRE(rate.bps() == 1'500'000);
  STATIC_REQUIRE(rate.kbps() == 1500);
  CHECK(Bitrate::BitsPerSecond(999) < Bitrate::KilobitsPerSecond(1));
}

TEST_CASE("ManualClock moves only when told") {
  ManualClock clock;
  const TimePoint start = clock.Now();
  CHECK(clock.Now() == start);
  clock.Advance(std::chrono::milliseconds(250));
  CHECK(clock.Now() - start == std::chrono::milliseconds(250));
}

}  // namespace bridgecast
