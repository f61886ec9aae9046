#include "ingest/on_air_switch.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::ingest {
namespace {

using std::chrono::milliseconds;
using Clock = OnAirSwitch::Clock;

// Drives one source's pictures like the ingest's 100 ms tick does.
struct Feed {
  OnAirSwitch& sw;
  std::string id;
  std::uint64_t frames = 0;
  Clock::time_point last{};
  void Frames(Clock::time_point now) {
    frames += 3;
    last = now;
    sw.ObserveFrames(id, frames, last, now);
  }
  void Nothing(Clock::time_point now) { sw.ObserveFrames(id, frames, last, now); }
};

}  // namespace

TEST_CASE("a source on air stalls to the slate and comes back after it settles") {
  OnAirSwitch sw({{"hall", ""}}, "hall", {});
  Feed hall{sw, "hall"};
  const Clock::time_point t0{};
  CHECK_FALSE(sw.OnAir());  // connecting: the slate
  hall.Frames(t0);
  CHECK(sw.OnAir() == "hall");  // first pictures: on air at once
  hall.Frames(t0 + milliseconds(100));
  hall.Nothing(t0 + milliseconds(500));
  CHECK(sw.state("hall") == SourceState::kLive);  // 400 ms without a picture: not yet
  hall.Nothing(t0 + milliseconds(600));
  CHECK(sw.state("hall") == SourceState::kStalled);
  CHECK_FALSE(sw.OnAir());
  CHECK_THAT(sw.reason("hall"), Catch::Contains("500 ms"));
  // Back: one tick of pictures is not enough, 150 ms of them is.
  hall.Frames(t0 + milliseconds(2000));
  CHECK_FALSE(sw.OnAir());
  hall.Frames(t0 + milliseconds(2100));
  CHECK_FALSE(sw.OnAir());
  hall.Frames(t0 + milliseconds(2200));
  CHECK(sw.OnAir() == "hall");
}

TEST_CASE("the backup plays while the selected source is down, then the selected again") {
  OnAirSwitch sw({{"hall", "backup"}, {"backup", ""}}, "hall", {});
  Feed hall{sw, "hall"};
  Feed backup{sw, "backup"};
  const Clock::time_point t0{};
  backup.Frames(t0);
  CHECK(sw.OnAir() == "backup");  // hall not live yet
  hall.Frames(t0 + milliseconds(100));
  CHECK(sw.OnAir() == "hall");
  sw.SetFailed("hall", "connection refused");
  CHECK(sw.OnAir() == "backup");
  CHECK(sw.reason("hall") == "connection refused");
  // Failed stays failed until the pipeline restarts, whatever the counters say.
  hall.Frames(t0 + milliseconds(200));
  CHECK(sw.state("hall") == SourceState::kFailed);
  sw.SetConnecting("hall");
  hall.Frames(t0 + milliseconds(300));
  CHECK(sw.OnAir() == "hall");
  sw.SetIdle("backup", "the file has ended");
  sw.SetIdle("hall", "the publisher left");
  CHECK_FALSE(sw.OnAir());
}

TEST_CASE("the operator selects among known sources only") {
  OnAirSwitch sw({{"a", ""}, {"b", ""}}, "a", {});
  Feed a{sw, "a"};
  Feed b{sw, "b"};
  a.Frames(Clock::time_point{});
  b.Frames(Clock::time_point{});
  CHECK(sw.OnAir() == "a");
  CHECK(sw.Select("b"));
  CHECK(sw.OnAir() == "b");
  CHECK_FALSE(sw.Select("nope"));
  CHECK(sw.selected() == "b");
  CHECK(sw.state("nope") == SourceState::kFailed);
}

TEST_CASE("backups that name each other end in the slate, not a loop") {
  OnAirSwitch sw({{"a", "b"}, {"b", "a"}}, "a", {});
  sw.SetFailed("a", "x");
  sw.SetFailed("b", "y");
  CHECK_FALSE(sw.OnAir());
}

}  // namespace bridgecast::ingest
