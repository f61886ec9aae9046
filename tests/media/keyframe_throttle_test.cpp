#include "media/keyframe_throttle.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::media {

using std::chrono::milliseconds;
using Action = KeyframeThrottle::Action;

TEST_CASE("the first request is served at once") {
  ManualClock clock;
  KeyframeThrottle throttle(milliseconds(500));
  CHECK(throttle.Request(clock.Now()).action == Action::kSendNow);
}

TEST_CASE("a burst of 67 joins costs two keyframes and none is lost") {
  ManualClock clock;
  KeyframeThrottle throttle(milliseconds(500));
  CHECK(throttle.Request(clock.Now()).action == Action::kSendNow);
  clock.Advance(milliseconds(100));
  const auto scheduled = throttle.Request(clock.Now());
  CHECK(scheduled.action == Action::kScheduleAt);
  CHECK(scheduled.at - clock.Now() == milliseconds(400));
  for (int i = 0; i < 65; ++i) {
    clock.Advance(milliseconds(3));
    CHECK(throttle.Request(clock.Now()).action == Action::kAlreadyScheduled);
  }
  clock.Advance(milliseconds(205));
  throttle.Fire(clock.Now());
  CHECK(throttle.requests() == 67);
  CHECK(throttle.keyframes() == 2);
  // Right after the scheduled one, the gap applies again.
  CHECK(throttle.Request(clock.Now()).action == Action::kScheduleAt);
}

TEST_CASE("requests spaced wider than the gap are each served at once") {
  ManualClock clock;
  KeyframeThrottle throttle(milliseconds(500));
  for (int i = 0; i < 5; ++i) {
    CHECK(throttle.Request(clock.Now()).action == Action::kSendNow);
    clock.Advance(milliseconds(500));
  }
  CHECK(throttle.keyframes() == 5);
}

}  // namespace bridgecast::media
