#include "client/timer.hpp"

#include <utility>

namespace bridgecast::client {

void Timer::Start(std::chrono::milliseconds delay, std::function<void()> fire) {
  Stop();
  fire_ = std::move(fire);
  source_ = g_timeout_add(static_cast<guint>(delay.count()), &Timer::OnFire, this);
}

void Timer::Stop() {
  if (source_) g_source_remove(source_);
  source_ = 0;
  fire_ = nullptr;
}

gboolean Timer::OnFire(gpointer self) {
  auto* timer = static_cast<Timer*>(self);
  timer->source_ = 0;
  // The callback may restart or destroy this timer: run a moved-out copy.
  auto fire = std::move(timer->fire_);
  fire();
  return G_SOURCE_REMOVE;
}

}  // namespace bridgecast::client
