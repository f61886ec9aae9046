#include "signaling/server.hpp"

#include <glib-unix.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "signaling/lws_log.hpp"

namespace bridgecast::signaling {
namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

constexpr size_t kHttpChunk = 16 * 1024;
// Status line and every header of one answer.
constexpr size_t kHttpHeaderBytes = 8 * 1024;
// After an early answer (413), up to this much of the body is still read
// and discarded before closing: closing with unread data resets the
// connection, and the client could lose the answer.
constexpr size_t kHttpDrainBytes = 1024 * 1024;
constexpr size_t kUnknownLength = std::numeric_limits<size_t>::max();
constexpr char kSubprotocol[] = "bridgecast.v1";
constexpr char kSocketPath[] = "/ws";

Server* FromWsi(lws* wsi) { return static_cast<Server*>(lws_context_user(lws_get_context(wsi))); }

int HttpCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  Server* server = FromWsi(wsi);
  if (!server) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return server->OnHttpCallback(wsi, reason, user, in, len);
}

int SocketCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  Server* server = FromWsi(wsi);
  if (!server) return 0;
  return server->OnSocketCallback(wsi, reason, user, in, len);
}

// Per-session data is plain: only the key into Server::connections_.
struct SocketSession {
  ConnectionId id;
};

const lws_protocols kProtocols[] = {
    {"http", HttpCallback, 0, 0, 0, nullptr, 0},
    {kSubprotocol, SocketCallback, sizeof(SocketSession), 4096, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

// Ping idle sockets after 10 s, drop them 25 s after the last sign of life.
const lws_retry_bo_t kKeepAlive = {
    .retry_ms_table = nullptr,
    .retry_ms_table_count = 0,
    .conceal_count = 0,
    .secs_since_valid_ping = 10,
    .secs_since_valid_hangup = 25,
    .jitter_percent = 0,
};

std::string Header(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0 || length > 4096) return {};
  std::string value(static_cast<size_t>(length) + 1, '\0');
  if (lws_hdr_copy(wsi, value.data(), length + 1, token) < 0) return {};
  value.resize(static_cast<size_t>(length));
  return value;
}

// The query string; lws keeps its '&'-separated parts as fragments.
std::string Query(lws* wsi) {
  std::string out;
  std::array<char, 2048> part{};
  for (int i = 0; i < 32; ++i) {
    const int n = lws_hdr_copy_fragment(wsi, part.data(), static_cast<int>(part.size()),
                                        WSI_TOKEN_HTTP_URI_ARGS, i);
    if (n <= 0) break;
    if (!out.empty()) out += '&';
    out.append(part.data(), static_cast<size_t>(n));
  }
  return out;
}

std::string Method(lws* wsi) {
  if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI)) return "GET";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI)) return "POST";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI)) return "HEAD";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI)) return "PUT";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI)) return "PATCH";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI)) return "DELETE";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI)) return "OPTIONS";
  return "OTHER";
}

HttpResponse JsonError(int status, const char* code, const char* message) {
  return HttpResponse{status, "application/json",
                      nlohmann::json{{"code", code}, {"message", message}}.dump(), false};
}

bool AddHeader(lws* wsi, const std::string& name, const std::string& value, unsigned char** p,
               unsigned char* end) {
  // Names and values come from our code, but a line break in one (a path
  // echoed into Location, say) would forge further headers.
  if (name.find_first_of("\r\n:") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    return false;
  }
  const std::string key = name + ":";
  return lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(key.c_str()),
                                     reinterpret_cast<const unsigned char*>(value.c_str()),
                                     static_cast<int>(value.size()), p, end) == 0;
}

// Writes the status line and headers; false if they do not fit in
// kHttpHeaderBytes or one is malformed (nothing written then), or if the
// write fails.
bool WriteHeaders(lws* wsi, const HttpResponse& response) {
  std::array<unsigned char, LWS_PRE + kHttpHeaderBytes> headers{};
  unsigned char* start = headers.data() + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = headers.data() + headers.size() - 1;
  if (lws_add_http_common_headers(wsi, static_cast<unsigned>(response.status),
                                  response.content_type.c_str(), response.body.size(), &p, end) ||
      !AddHeader(wsi, "cache-control", response.cacheable ? "max-age=300" : "no-store", &p, end) ||
      !AddHeader(wsi, "x-content-type-options", "nosniff", &p, end) ||
      (!response.set_cookie.empty() &&
       !AddHeader(wsi, "set-cookie", response.set_cookie, &p, end))) {
    return false;
  }
  for (const auto& [name, value] : response.headers) {
    if (!AddHeader(wsi, name, value, &p, end)) return false;
  }
  return lws_finalize_write_http_header(wsi, start, &p, end) == 0;
}

// A Content-Length value: digits only.
bool ParseLength(const std::string& text, size_t& length) {
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, length);
  return !text.empty() && ec == std::errc() && ptr == last;
}

}  // namespace

Server::Server(const ServerConfig& config, Listener& listener)
    : config_(config), listener_(listener) {}

Result<std::unique_ptr<Server>> Server::Create(GMainLoop* loop, const ServerConfig& config,
                                               Listener& listener) {
  std::unique_ptr<Server> server(new Server(config, listener));
  RouteLwsLogToSpdlog();
  lws_context_creation_info info{};
  void* foreign_loops[] = {loop};
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_GLIB |
                 LWS_SERVER_OPTION_VALIDATE_UTF8;
  info.foreign_loops = foreign_loops;
  info.port = config.port;
  info.iface = config.address == "0.0.0.0" ? nullptr : config.address.c_str();
  info.protocols = kProtocols;
  // TLS 1.2 at least, set here rather than left to OpenSSL's security level;
  // for 1.2 only ECDHE with AEAD (no CBC, no SHA-1 MACs). TLS 1.3's suites
  // are all AEAD.
  info.ssl_options_set = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
  info.ssl_cipher_list = kTls12Ciphers;
  info.ssl_cert_filepath = config.tls.certificate_path.c_str();
  info.ssl_private_key_filepath = config.tls.private_key_path.c_str();
  info.retry_and_idle_policy = &kKeepAlive;
  info.user = server.get();
  info.vhost_name = "default";
  // HTTP/1.1 only: lws 4.1 routes WebSocket-over-HTTP/2 and large HTTP/2
  // responses unreliably (Chromium's first socket attempt was refused and
  // ~4 KB+ bodies could stall until the idle timeout).
  info.alpn = "http/1.1";
  server->context_ = lws_create_context(&info);
  if (!server->context_) {
    return Error{"listen_failed", "cannot listen on " + config.address + ":" +
                                      std::to_string(config.port)};
  }
  lws_vhost* vhost = lws_get_vhost_by_name(server->context_, "default");
  server->port_ = vhost ? lws_get_vhost_listen_port(vhost) : -1;
  if (server->port_ <= 0) return Error{"listen_failed", "no listening port"};
  return server;
}

Server::~Server() {
  if (context_) lws_context_destroy(context_);
}

void Server::Send(ConnectionId id, std::string text) { Queue(id, std::move(text), true); }

void Server::SendState(ConnectionId id, std::string text) { Queue(id, std::move(text), false); }

void Server::Queue(ConnectionId id, std::string text, bool counted) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.closing) return;
  Connection& c = it->second;
  if (counted && c.queued_bytes + text.size() > config_.max_queued_bytes) {
    spdlog::warn("signaling: connection {} is not reading; dropping it", id);
    c.outgoing.clear();
    c.queued_bytes = 0;
    Close(id, 1008, "too much unread data");
    return;
  }
  if (counted) c.queued_bytes += text.size();
  c.outgoing.push_back({std::move(text), counted});
  lws_callback_on_writable(c.wsi);
}

void Server::Close(ConnectionId id, int code, std::string reason) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.closing) return;
  it->second.closing = true;
  it->second.close_code = code;
  it->second.close_reason = std::move(reason);
  lws_callback_on_writable(it->second.wsi);
}

int Server::WriteNextFrame(Connection& c) {
  if (c.outgoing.empty()) {
    if (!c.closing) return 0;
    lws_close_reason(c.wsi, static_cast<lws_close_status>(c.close_code),
                     reinterpret_cast<unsigned char*>(c.close_reason.data()),
                     c.close_reason.size());
    return -1;
  }
  const std::string& text = c.outgoing.front().text;
  std::vector<unsigned char> frame(LWS_PRE + text.size());
  std::memcpy(frame.data() + LWS_PRE, text.data(), text.size());
  const int written = lws_write(c.wsi, frame.data() + LWS_PRE, text.size(), LWS_WRITE_TEXT);
  if (written < static_cast<int>(text.size())) return -1;
  if (c.outgoing.front().counted) c.queued_bytes -= text.size();
  c.outgoing.pop_front();
  if (!c.outgoing.empty() || c.closing) lws_callback_on_writable(c.wsi);
  return 0;
}

int Server::OnHttpCallback(lws* wsi, int reason, void* user, void* in, size_t len) {
  switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      // A WebSocket upgrade without our subprotocol lands here: refuse it.
      return 1;
    case LWS_CALLBACK_HTTP: {
      auto [it, fresh] = http_.try_emplace(wsi);
      // lws parses a connection's next request only after our answer.
      if (!fresh) return -1;
      HttpExchange& x = it->second;
      x.server = this;
      x.wsi = wsi;
      x.request.method = Method(wsi);
      x.request.path = in ? std::string(static_cast<const char*>(in)) : "/";
      x.request.authorization = Header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
      x.request.query = Query(wsi);
      x.request.cookie = Header(wsi, WSI_TOKEN_HTTP_COOKIE);
      x.request.content_type = Header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
      x.request.exchange = next_exchange_++;
      x.head = x.request.method == "HEAD";
      // lws reads a body of Content-Length bytes for any method; without
      // the header it waits for one of POST, PUT and PATCH until the
      // connection closes (no chunked request bodies in lws 4.1).
      const bool has_length = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
      const bool body_method = x.request.method == "POST" || x.request.method == "PUT" ||
                               x.request.method == "PATCH";
      size_t length = 0;
      if (has_length && !ParseLength(Header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH), length)) {
        x.body_unread = kUnknownLength;
        Refuse(x, 400, "bad_request", "invalid Content-Length");
      } else if (!has_length && body_method) {
        x.body_unread = kUnknownLength;
        Refuse(x, 411, "length_required", "a request body needs a Content-Length");
      } else if (length > config_.max_http_body_bytes) {
        x.body_unread = length;
        Refuse(x, 413, "body_too_large", "the request body is too large");
      } else if (length > 0) {
        x.body_unread = length;
        x.request.body.reserve(length);
      } else {
        Dispatch(x);
      }
      return 0;
    }
    case LWS_CALLBACK_HTTP_BODY: {
      auto it = http_.find(wsi);
      if (it == http_.end()) return 0;
      HttpExchange& x = it->second;
      x.body_unread -= std::min(x.body_unread, len);
      // The rest of a refused request's body is discarded.
      if (x.stage != HttpExchange::Stage::kBody) return 0;
      // lws stops at Content-Length; counted anyway, so the buffer's bound
      // does not rest on that.
      if (x.request.body.size() + len > config_.max_http_body_bytes) {
        Refuse(x, 413, "body_too_large", "the request body is too large");
        return 0;
      }
      x.request.body.append(static_cast<const char*>(in), len);
      return 0;
    }
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
      auto it = http_.find(wsi);
      if (it == http_.end()) return 0;
      HttpExchange& x = it->second;
      x.body_unread = 0;
      // A refused request's answer went out already: now it may close.
      if (x.stage == HttpExchange::Stage::kDraining) return -1;
      // lws repeats the completion for later reads (and for an empty POST).
      if (x.stage == HttpExchange::Stage::kBody) Dispatch(x);
      return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      auto it = http_.find(wsi);
      if (it == http_.end() || it->second.stage != HttpExchange::Stage::kWriting) return 0;
      return WriteResponse(it->second);
    }
    case LWS_CALLBACK_CLOSED_HTTP: {
      auto it = http_.find(wsi);
      if (it == http_.end()) return 0;
      const bool aborted = it->second.stage == HttpExchange::Stage::kDeferred;
      const HttpExchangeId id = it->second.request.exchange;
      http_.erase(it);
      if (aborted) {
        deferred_.erase(id);
        listener_.OnHttpAborted(id);
      }
      return 0;
    }
    default:
      return lws_callback_http_dummy(wsi, static_cast<lws_callback_reasons>(reason), user, in,
                                     len);
  }
}

void Server::SourceId::Reset(guint id) {
  if (id_) g_source_remove(id_);
  id_ = id;
}

void Server::Dispatch(HttpExchange& x) {
  HttpResponse response = listener_.OnHttpRequest(x.request);
  x.request.body = {};  // the listener has it
  if (!response.deferred) {
    Answer(x, std::move(response));
    return;
  }
  x.stage = HttpExchange::Stage::kDeferred;
  deferred_[x.request.exchange] = x.wsi;
  x.timeout.Reset(g_timeout_add(static_cast<guint>(config_.http_deferred_timeout.count()),
                                &Server::OnDeferredTimeout, &x));
  // lws does not read a connection between request and answer, so it would
  // not see the client leave, and a pending read would wake the loop again
  // and again: pause its reading and watch the socket here instead.
  lws_rx_flow_control(x.wsi, 0);
  x.hangup_watch.Reset(g_unix_fd_add(lws_get_socket_fd(x.wsi),
                                     static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR),
                                     &Server::OnDeferredSocket, &x));
}

void Server::Answer(HttpExchange& x, HttpResponse response) {
  x.response = std::move(response);
  x.stage = HttpExchange::Stage::kWriting;
  lws_callback_on_writable(x.wsi);
}

void Server::Refuse(HttpExchange& x, int status, const char* code, const char* message) {
  x.request.body = {};
  x.close_after = true;
  Answer(x, JsonError(status, code, message));
}

bool Server::Respond(HttpExchangeId exchange, HttpResponse response) {
  auto it = deferred_.find(exchange);
  if (it == deferred_.end()) return false;
  HttpExchange& x = http_.at(it->second);
  deferred_.erase(it);
  x.timeout.Reset();
  x.hangup_watch.Reset();
  lws_rx_flow_control(x.wsi, 1);
  Answer(x, std::move(response));
  return true;
}

gboolean Server::OnDeferredTimeout(gpointer exchange) {
  auto& x = *static_cast<HttpExchange*>(exchange);
  x.timeout.Forget();
  const HttpExchangeId id = x.request.exchange;
  Server& server = *x.server;
  server.Respond(id, JsonError(504, "timeout", "no answer in time"));
  server.listener_.OnHttpAborted(id);
  return G_SOURCE_REMOVE;
}

gboolean Server::OnDeferredSocket(gint fd, GIOCondition /*condition*/, gpointer exchange) {
  auto& x = *static_cast<HttpExchange*>(exchange);
  // Readable: either the client closed (or reset) the connection, or it
  // sent more (a pipelined request), which waits for the answer.
  pollfd peer{fd, POLLRDHUP, 0};
  const bool gone = poll(&peer, 1, 0) < 0 || (peer.revents & (POLLRDHUP | POLLHUP | POLLERR));
  x.hangup_watch.Forget();
  if (!gone) return G_SOURCE_REMOVE;
  const HttpExchangeId id = x.request.exchange;
  Server& server = *x.server;
  server.deferred_.erase(id);
  x.timeout.Reset();
  x.stage = HttpExchange::Stage::kAborted;
  lws_set_timeout(x.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  server.listener_.OnHttpAborted(id);
  return G_SOURCE_REMOVE;
}

int Server::WriteResponse(HttpExchange& x) {
  lws* wsi = x.wsi;
  if (!x.headers_sent) {
    if (!WriteHeaders(wsi, x.response)) {
      spdlog::error("signaling: cannot write the headers of a {} answer to {}", x.response.status,
                    x.request.path);
      x.response = JsonError(500, "internal", "the answer's headers do not fit");
      if (!WriteHeaders(wsi, x.response)) return -1;
    }
    x.headers_sent = true;
    if (x.head) x.response.body.clear();
    lws_callback_on_writable(wsi);
    return 0;
  }
  const std::string& body = x.response.body;
  const size_t chunk = std::min(kHttpChunk, body.size() - x.sent);
  const bool last = x.sent + chunk == body.size();
  std::vector<unsigned char> buffer(LWS_PRE + chunk);
  std::memcpy(buffer.data() + LWS_PRE, body.data() + x.sent, chunk);
  if (lws_write(wsi, buffer.data() + LWS_PRE, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) <
      static_cast<int>(chunk)) {
    return -1;
  }
  x.sent += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  if (!x.close_after) {
    http_.erase(wsi);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
  }
  if (x.body_unread == 0 || x.body_unread > kHttpDrainBytes) return -1;
  x.stage = HttpExchange::Stage::kDraining;
  return 0;
}

int Server::OnSocketCallback(lws* wsi, int reason, void* user, void* in, size_t len) {
  auto* session = static_cast<SocketSession*>(user);
  switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      return Header(wsi, WSI_TOKEN_GET_URI) == kSocketPath ? 0 : 1;
    case LWS_CALLBACK_ESTABLISHED: {
      session->id = next_id_++;
      connections_[session->id].wsi = wsi;
      listener_.OnSocketOpen(session->id);
      return 0;
    }
    case LWS_CALLBACK_RECEIVE: {
      auto it = connections_.find(session->id);
      if (it == connections_.end()) return -1;
      Connection& c = it->second;
      if (c.oversize || c.closing) return 0;
      if (lws_is_first_fragment(wsi)) c.binary = lws_frame_is_binary(wsi);
      if (c.binary) {
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
          c.binary = false;
          listener_.OnSocketBinary(session->id);
        }
        return 0;
      }
      c.partial.append(static_cast<const char*>(in), len);
      if (c.partial.size() > config_.max_message_bytes) {
        c.oversize = true;
        c.partial.clear();
        listener_.OnSocketOversize(session->id);
        return 0;
      }
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        std::string message = std::move(c.partial);
        c.partial.clear();
        listener_.OnSocketMessage(session->id, message);
      }
      return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
      auto it = connections_.find(session->id);
      if (it == connections_.end()) return -1;
      return WriteNextFrame(it->second);
    }
    case LWS_CALLBACK_CLOSED: {
      if (connections_.erase(session->id)) listener_.OnSocketClosed(session->id);
      return 0;
    }
    default:
      return 0;
  }
}

}  // namespace bridgecast::signaling
