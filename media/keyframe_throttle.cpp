#include "media/keyframe_throttle.hpp"

namespace bridgecast::media {

KeyframeThrottle::Decision KeyframeThrottle::Request(TimePoint now) {
  ++requests_;
  if (pending_) return {Action::kAlreadyScheduled, last_sent_ + min_interval_};
  if (!sent_any_ || now - last_sent_ >= min_interval_) {
    sent_any_ = true;
    last_sent_ = now;
    ++keyframes_;
    return {Action::kSendNow, now};
  }
  pending_ = true;
  return {Action::kScheduleAt, last_sent_ + min_interval_};
}

void KeyframeThrottle::Fire(TimePoint now) {
  pending_ = false;
  sent_any_ = true;
  last_sent_ = now;
  ++keyframes_;
}

}  // namespace bridgecast::media
