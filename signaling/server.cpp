#include "signaling/server.hpp"

#include <libwebsockets.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <vector>

#include "signaling/lws_log.hpp"

namespace bridgecast::signaling {
namespace {

constexpr size_t kHttpChunk = 16 * 1024;
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
  if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI)) return "DELETE";
  return "OTHER";
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

void Server::Send(ConnectionId id, std::string text) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.closing) return;
  Connection& c = it->second;
  if (c.queued_bytes + text.size() > config_.max_queued_bytes) {
    spdlog::warn("signaling: connection {} is not reading; dropping it", id);
    c.outgoing.clear();
    c.queued_bytes = 0;
    Close(id, 1008, "too much unread data");
    return;
  }
  c.queued_bytes += text.size();
  c.outgoing.push_back(std::move(text));
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
  std::string& text = c.outgoing.front();
  std::vector<unsigned char> frame(LWS_PRE + text.size());
  std::memcpy(frame.data() + LWS_PRE, text.data(), text.size());
  const int written = lws_write(c.wsi, frame.data() + LWS_PRE, text.size(), LWS_WRITE_TEXT);
  if (written < static_cast<int>(text.size())) return -1;
  c.queued_bytes -= text.size();
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
      HttpRequest request;
      request.method = Method(wsi);
      request.path = in ? std::string(static_cast<const char*>(in)) : "/";
      request.authorization = Header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
      request.query = Query(wsi);
      request.cookie = Header(wsi, WSI_TOKEN_HTTP_COOKIE);
      HttpResponse response = listener_.OnHttpRequest(request);
      std::array<unsigned char, LWS_PRE + 2048> headers{};
      unsigned char* start = headers.data() + LWS_PRE;
      unsigned char* p = start;
      unsigned char* end = headers.data() + headers.size() - 1;
      const std::string cache = response.cacheable ? "max-age=300" : "no-store";
      if (lws_add_http_common_headers(wsi, static_cast<unsigned>(response.status),
                                      response.content_type.c_str(), response.body.size(), &p,
                                      end) ||
          lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("cache-control:"),
                                      reinterpret_cast<const unsigned char*>(cache.c_str()),
                                      static_cast<int>(cache.size()), &p, end) ||
          lws_add_http_header_by_name(
              wsi, reinterpret_cast<const unsigned char*>("x-content-type-options:"),
              reinterpret_cast<const unsigned char*>("nosniff"), 7, &p, end) ||
          (!response.set_cookie.empty() &&
           lws_add_http_header_by_name(
               wsi, reinterpret_cast<const unsigned char*>("set-cookie:"),
               reinterpret_cast<const unsigned char*>(response.set_cookie.c_str()),
               static_cast<int>(response.set_cookie.size()), &p, end)) ||
          lws_finalize_write_http_header(wsi, start, &p, end)) {
        return 1;
      }
      if (request.method == "HEAD") response.body.clear();
      http_[wsi] = HttpExchange{std::move(response.body), 0};
      lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      auto it = http_.find(wsi);
      if (it == http_.end()) return 0;
      HttpExchange& x = it->second;
      const size_t chunk = std::min(kHttpChunk, x.body.size() - x.sent);
      const bool last = x.sent + chunk == x.body.size();
      std::vector<unsigned char> buffer(LWS_PRE + chunk);
      std::memcpy(buffer.data() + LWS_PRE, x.body.data() + x.sent, chunk);
      if (lws_write(wsi, buffer.data() + LWS_PRE, chunk,
                    last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < static_cast<int>(chunk)) {
        return -1;
      }
      x.sent += chunk;
      if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
      }
      http_.erase(it);
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
      http_.erase(wsi);
      return 0;
    default:
      return lws_callback_http_dummy(wsi, static_cast<lws_callback_reasons>(reason), user, in,
                                     len);
  }
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
