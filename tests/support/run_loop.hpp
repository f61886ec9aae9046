#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

namespace bridgecast::test {

// Runs the default GLib main context until `done` or `limit`; false on timeout.
inline bool RunLoopUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    // Drain what is ready, then nap briefly rather than busy-wait: one event
    // per nap is too slow for 67 clients, and `done` may be costly to check.
    for (int i = 0; i < 1000 && g_main_context_iteration(nullptr, FALSE); ++i) {
    }
    g_usleep(500);
  }
  return true;
}

inline void RunLoopFor(std::chrono::milliseconds d) {
  RunLoopUntil([] { return false; }, d);
}

}  // namespace bridgecast::test
