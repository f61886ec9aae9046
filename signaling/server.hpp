#pragma once

#include <glib.h>

#include <chrono>
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
  // The conference state a client joins with (a snapshot, resumed events):
  // not counted against the queue's cap, as its size is bounded by the
  // domain's limits, not by how fast the client reads.
  virtual void SendState(ConnectionId id, std::string text) { Send(id, std::move(text)); }
  // Closes after the frames already queued are written.
  virtual void Close(ConnectionId id, int code, std::string reason) = 0;
};

struct ServerConfig {
  std::string address = "127.0.0.1";  // "0.0.0.0" listens on every interface
  int port = 8443;                     // 0 picks a free port
  TlsIdentity tls;
  size_t max_message_bytes = 64 * 1024;
  // A client that stops reading is dropped rather than buffered forever
  // (the conference state it joins with, SendState, is not counted).
  size_t max_queued_bytes = 4 * 1024 * 1024;
  // A larger request body gets 413 body_too_large and the connection closes.
  size_t max_http_body_bytes = 64 * 1024;
  // A deferred answer not given by then becomes 504 timeout.
  std::chrono::milliseconds http_deferred_timeout{10'000};
};

// HTTPS + WSS on one port (libwebsockets + OpenSSL) running on the GLib main
// loop. Knows nothing of the protocol: it moves requests and text frames.
class Server final : public FrameSink {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Called once the whole body has arrived. A `deferred` answer is given
    // later with Respond(request.exchange, ...).
    virtual HttpResponse OnHttpRequest(const HttpRequest& request) = 0;
    // A deferred exchange ends unanswered: its client went away, or it timed
    // out (the client got 504). Respond for it returns false from now on.
    virtual void OnHttpAborted(HttpExchangeId /*exchange*/) {}
    virtual void OnSocketOpen(ConnectionId id) = 0;
    virtual void OnSocketMessage(ConnectionId id, std::string_view text) = 0;
    // A frame over max_message_bytes; the connection will close after this.
    virtual void OnSocketOversize(ConnectionId id) = 0;
    // A whole binary message arrived (its bytes dropped): the protocol is text.
    virtual void OnSocketBinary(ConnectionId id) = 0;
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
  void SendState(ConnectionId id, std::string text) override;
  void Close(ConnectionId id, int code, std::string reason) override;
  // Answers a deferred exchange; false (nothing written) if it is no longer
  // waiting: answered, aborted or timed out.
  bool Respond(HttpExchangeId exchange, HttpResponse response);

  // libwebsockets entry points; public for the C callback table only.
  int OnHttpCallback(lws* wsi, int reason, void* user, void* in, size_t len);
  int OnSocketCallback(lws* wsi, int reason, void* user, void* in, size_t len);

 private:
  struct Connection {
    lws* wsi = nullptr;
    struct Frame {
      std::string text;
      bool counted = true;  // against max_queued_bytes
    };
    std::deque<Frame> outgoing;
    size_t queued_bytes = 0;
    std::string partial;
    bool oversize = false;
    bool binary = false;  // the message being received is binary
    bool closing = false;
    int close_code = 1000;
    std::string close_reason;
  };
  // A GLib source removed with its owner.
  class SourceId {
   public:
    SourceId() = default;
    ~SourceId() { Reset(); }
    SourceId(const SourceId&) = delete;
    SourceId& operator=(const SourceId&) = delete;
    void Reset(guint id = 0);
    // The source removed itself (its callback returned G_SOURCE_REMOVE).
    void Forget() { id_ = 0; }

   private:
    guint id_ = 0;
  };
  // One request on an HTTP connection, from its headers to its answer.
  struct HttpExchange {
    // kDraining: answered early, reading the rest of the body before closing;
    // kAborted: the client left a deferred exchange, the connection closes.
    enum class Stage { kBody, kDeferred, kWriting, kDraining, kAborted };
    Server* server = nullptr;  // for the GLib callbacks
    lws* wsi = nullptr;
    Stage stage = Stage::kBody;
    HttpRequest request;     // until the listener has it
    size_t body_unread = 0;  // body bytes still to come; SIZE_MAX if unknown
    bool head = false;
    bool close_after = false;  // the answer ends the connection
    HttpResponse response;
    bool headers_sent = false;
    size_t sent = 0;
    SourceId timeout;       // while deferred
    SourceId hangup_watch;  // while deferred
  };

  Server(const ServerConfig& config, Listener& listener);
  int WriteNextFrame(Connection& c);
  void Queue(ConnectionId id, std::string text, bool counted);
  // Hands the complete request to the listener.
  void Dispatch(HttpExchange& x);
  void Answer(HttpExchange& x, HttpResponse response);
  // Answers with a JSON error and closes the connection afterwards.
  void Refuse(HttpExchange& x, int status, const char* code, const char* message);
  int WriteResponse(HttpExchange& x);
  static gboolean OnDeferredTimeout(gpointer exchange);
  static gboolean OnDeferredSocket(gint fd, GIOCondition condition, gpointer exchange);

  ServerConfig config_;
  Listener& listener_;
  lws_context* context_ = nullptr;
  int port_ = 0;
  ConnectionId next_id_ = 1;
  HttpExchangeId next_exchange_ = 1;
  std::unordered_map<ConnectionId, Connection> connections_;
  // One exchange per HTTP/1.1 connection; node-based, so the GLib callbacks
  // can hold an exchange's address.
  std::unordered_map<lws*, HttpExchange> http_;
  std::unordered_map<HttpExchangeId, lws*> deferred_;
};

}  // namespace bridgecast::signaling
