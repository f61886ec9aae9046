#pragma once

#include <glib.h>

#include <memory>

#include "client/ws_context.hpp"

namespace bridgecast::test {

// A GLib loop and a client lws context for the duration of a test; `context`
// is null if lws could not create it.
struct ClientLoop {
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  std::unique_ptr<client::WsContext> context;
  ClientLoop() {
    auto created = client::WsContext::Create(loop);
    if (created) context = std::move(*created);
  }
  ~ClientLoop() {
    context.reset();
    g_main_loop_unref(loop);
  }
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;
};

}  // namespace bridgecast::test
