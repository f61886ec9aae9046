#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "client/ws_context.hpp"
#include "media/main_loop.hpp"

struct lws;
struct lws_protocols;

namespace bridgecast::client {

struct WsClientOptions {
  std::string host;  // IP or name; IPv6 without brackets
  int port = 443;
  std::string path = "/ws";
  std::string subprotocol = "bridgecast.v1";
  // Plain ws:// when false (only for servers on loopback, e.g. Janus in the
  // bench).
  bool tls = true;
  // SHA-256 fingerprint the server certificate must have; empty accepts any
  // (self-signed certificates are always allowed, host names never checked).
  std::string certificate_sha256;
};

// A generic WSS client on the GLib main loop: text in, text out, no protocol
// knowledge. Listener calls come from the main loop, never from inside a
// WsClient method; a listener must not destroy the WsClient inside a call
// (defer it to the main loop).
class WsClient {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnOpen() = 0;
    virtual void OnMessage(std::string_view text) = 0;
    // Exactly once per Connect(), for every way a connection can end,
    // including failure to connect and certificate pin mismatch; always
    // from a main-loop turn of its own.
    virtual void OnClosed(std::string reason) = 0;
  };

  // Messages larger than this are refused (the connection is closed).
  static constexpr size_t kMaxMessage = 1 << 20;

  WsClient(WsContext& context, WsClientOptions options, Listener& listener);
  // Drops a live connection abruptly, without notifying the listener.
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void Connect();
  // Queues one text frame; sent in order once open. The text is sent as is,
  // valid UTF-8 or not.
  void Send(std::string text);
  // Sends what is queued, then a normal close; OnClosed follows.
  void Close();

  bool open() const { return open_; }
  // Close code the peer sent (e.g. 4000 after a fatal error), 0 if none.
  int peer_close_code() const { return peer_close_code_; }
  const std::string& peer_close_reason() const { return peer_close_reason_; }
  // The server's certificate failed the pin: retrying cannot help.
  bool certificate_rejected() const { return certificate_rejected_; }

 private:
  friend struct WsClientProtocol;

  int OnEvent(lws* wsi, int reason, void* in, size_t len);
  int OnWriteable();
  void NotifyClosed(lws* wsi, std::string reason);

  WsContext& context_;
  WsClientOptions options_;
  Listener& listener_;
  lws* wsi_ = nullptr;
  bool open_ = false;
  bool close_requested_ = false;
  bool closed_notified_ = false;
  bool certificate_rejected_ = false;
  std::deque<std::string> outbox_;
  std::string inbox_;
  std::string write_buffer_;
  std::string failure_;  // a reason found before lws reports the close
  int peer_close_code_ = 0;
  std::string peer_close_reason_;
  media::Lifetime lifetime_;
};

namespace detail {
// The protocol list a WsContext registers: the one WsClient handler.
const lws_protocols* WsClientProtocols();
}  // namespace detail

}  // namespace bridgecast::client
