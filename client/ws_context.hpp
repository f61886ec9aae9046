#pragma once

#include <glib.h>

#include <memory>

#include "base/result.hpp"

struct lws_context;

namespace bridgecast::client {

// A client-only libwebsockets context serviced by a GLib main loop (lws glib
// event-lib plugin, foreign loop). One per process serves any number of
// WsClients; it must outlive them.
class WsContext {
 public:
  static Result<std::unique_ptr<WsContext>> Create(GMainLoop* loop);
  ~WsContext();
  WsContext(const WsContext&) = delete;
  WsContext& operator=(const WsContext&) = delete;

  lws_context* get() const { return context_; }

 private:
  explicit WsContext(lws_context* context) : context_(context) {}
  lws_context* context_;
};

}  // namespace bridgecast::client
