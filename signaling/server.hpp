#pragma once

#include <glib.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"
#include "signaling/http.hpp"
#include "signaling/tls_identity.hpp"

struct lws;
struct lws_context;
struct lws_vhost;

namespace bridgecast::signaling {

using ConnectionId = uint64_t;

// Where text frames for clients go; the Server in production.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void Send(ConnectionId id, std::string text) = 0;
  // Closes after the frames already queued are written.
  virtual void Close(ConnectionId id, int code, std::string reason) = 0;
};

struct ServerConfig {
  std::string address = "127.0.0.1";  // "0.0.0.0" listens on every interface
  int port = 8443;                     // 0 picks a free port
  TlsIdentity tls;
  size_t max_message_bytes = 64 * 1024;
  // A client that stops reading is dropped rather than buffered forever.
  size_t max_queued_bytes = 4 * 1024 * 1024;
};

// HTTPS + WSS on one port (libwebsockets + OpenSSL) running on the GLib main
// loop. Knows nothing of the protocol: it moves requests and text frames.
class Server final : public FrameSink {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual HttpResponse OnHttpRequest(const HttpRequest& request) = 0;
    virtual void OnSocketOpen(ConnectionId id) = 0;
    virtual void OnSocketMessage(ConnectionId id, std::string_view text) = 0;
    // A frame over max_message_bytes; the connection will close after this.
    virtual void OnSocketOversize(ConnectionId id) = 0;
    virtual void OnSocketClosed(ConnectionId id) = 0;
  };

  static Result<std::unique_ptr<Server>> Create(GMainLoop* loop, const ServerConfig& config,
                                                Listener& listener);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  // Queues a text frame; written when the socket is writable.
  void Send(ConnectionId id, std::string text) override;
  void Close(ConnectionId id, int code, std::string reason) override;

  // libwebsockets entry points; public for the C callback table only.
  int OnHttpCallback(lws* wsi, int reason, void* user, void* in, size_t len);
  int OnSocketCallback(lws* wsi, int reason, void* user, void* in, size_t len);

 private:
  struct Connection {
    lws* wsi = nullptr;
    std::deque<std::string> outgoing;
    size_t queued_bytes = 0;
    std::string partial;
    bool oversize = false;
    bool closing = false;
    int close_code = 1000;
    std::string close_reason;
  };
  struct HttpExchange {
    std::string body;
    size_t sent = 0;
  };

  Server(const ServerConfig& config, Listener& listener);
  int WriteNextFrame(Connection& c);

  ServerConfig config_;
  Listener& listener_;
  lws_context* context_ = nullptr;
  int port_ = 0;
  ConnectionId next_id_ = 1;
  std::unordered_map<ConnectionId, Connection> connections_;
  std::unordered_map<lws*, HttpExchange> http_;
};

}  // namespace bridgecast::signaling
