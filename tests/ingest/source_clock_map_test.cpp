#include "ingest/source_clock_map.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::ingest {
namespace {

using std::chrono::milliseconds;
using Nanos = SourceClockMap::Nanos;

Nanos Ms(int64_t ms) { return milliseconds(ms); }

}  // namespace

TEST_CASE("the first buffer maps to its arrival and the spacing is kept") {
  SourceClockMap map;
  const auto first = map.Map(Ms(5000), Ms(100));
  CHECK(first.pts == Ms(100));
  CHECK_FALSE(first.discont);
  // 20 ms later in the source, arriving with some jitter: still 20 ms later.
  const auto second = map.Map(Ms(5020), Ms(150));
  CHECK(second.pts == Ms(120));
  CHECK_FALSE(second.discont);
}

TEST_CASE("a buffer that would be late for the mixer moves the offset") {
  SourceClockMap map;
  map.Map(Ms(0), Ms(1000));
  // Arrives 200 ms after its mapped time: later than the 80 ms allowed.
  const auto late = map.Map(Ms(20), Ms(1220));
  CHECK(late.pts == Ms(1220));
  CHECK(late.discont);
  // And the next one keeps the new offset.
  CHECK(map.Map(Ms(40), Ms(1240)).pts == Ms(1240));
}

TEST_CASE("latency no longer needed is given back after a window") {
  SourceClockMap map;
  // The first buffer came 300 ms late (a slow decoder start); the rest on time.
  map.Map(Ms(0), Ms(300));
  Nanos last{};
  bool moved = false;
  for (int i = 1; i <= 120; ++i) {  // 2.4 s of 20 ms buffers
    const auto m = map.Map(Ms(i * 20), Ms(i * 20 + 10));
    moved = moved || m.discont;
    last = m.pts;
  }
  CHECK(moved);
  // Now mapped close to arrival, not 290 ms ahead of it.
  CHECK(last - Ms(120 * 20 + 10) < Ms(50));
  CHECK(last >= Ms(120 * 20 + 10));
}

TEST_CASE("small jitter never moves the offset") {
  SourceClockMap map;
  map.Map(Ms(0), Ms(0));
  for (int i = 1; i <= 500; ++i) {
    const int jitter = (i * 37) % 60;  // 0..59 ms late
    const auto m = map.Map(Ms(i * 20), Ms(i * 20 + jitter));
    REQUIRE_FALSE(m.discont);
    REQUIRE(m.pts == Ms(i * 20));
  }
}

TEST_CASE("a loop back to the start re-anchors at arrival") {
  SourceClockMap map;
  map.Map(Ms(0), Ms(0));
  map.Map(Ms(9980), Ms(9980));
  const auto looped = map.Map(Ms(0), Ms(10010));
  CHECK(looped.discont);
  CHECK(looped.pts == Ms(10010));
  CHECK(map.Map(Ms(20), Ms(10030)).pts == Ms(10030));
}

TEST_CASE("after a reset the next buffer anchors anew without a discontinuity flag") {
  SourceClockMap map;
  map.Map(Ms(0), Ms(0));
  map.Reset();
  const auto m = map.Map(Ms(777000), Ms(5000));
  CHECK(m.pts == Ms(5000));
  CHECK_FALSE(m.discont);
}

}  // namespace bridgecast::ingest
