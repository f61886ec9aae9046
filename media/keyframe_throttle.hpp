#pragma once

#include "base/clock.hpp"

namespace bridgecast::media {

// Coalesces keyframe requests so that a burst of joins (67 points at once)
// costs one keyframe per interval, yet no request goes unanswered: a request
// inside the interval schedules one keyframe at the interval's end.
class KeyframeThrottle {
 public:
  enum class Action {
    kSendNow,           // ask the encoder now
    kScheduleAt,        // arm a timer for `at`, then call Fire()
    kAlreadyScheduled,  // a pending keyframe will serve this request too
  };
  struct Decision {
    Action action;
    TimePoint at;
  };

  explicit KeyframeThrottle(Duration min_interval) : min_interval_(min_interval) {}

  Decision Request(TimePoint now);
  // The scheduled keyframe was sent at `now`.
  void Fire(TimePoint now);

  int requests() const { return requests_; }
  int keyframes() const { return keyframes_; }

 private:
  Duration min_interval_;
  bool sent_any_ = false;
  bool pending_ = false;
  TimePoint last_sent_{};
  int requests_ = 0;
  int keyframes_ = 0;
};

}  // namespace bridgecast::media
