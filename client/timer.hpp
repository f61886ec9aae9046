#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

namespace bridgecast::client {

// A one-shot timeout on the default GLib main context, cancelled when stopped
// or destroyed. Starting it again replaces the pending one.
class Timer {
 public:
  Timer() = default;
  ~Timer() { Stop(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void Start(std::chrono::milliseconds delay, std::function<void()> fire);
  void Stop();
  bool active() const { return source_ != 0; }

 private:
  static gboolean OnFire(gpointer self);

  guint source_ = 0;
  std::function<void()> fire_;
};

}  // namespace bridgecast::client
