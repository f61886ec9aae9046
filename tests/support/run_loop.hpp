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
    g_main_context_iteration(nullptr, FALSE);
    g_usleep(1000);
  }
  return true;
}

inline void RunLoopFor(std::chrono::milliseconds d) {
  RunLoopUntil([] { return false; }, d);
}

}  // namespace bridgecast::test
