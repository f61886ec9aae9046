#include "client/ws_client.hpp"

#include <libwebsockets.h>

#include "client/cert_pin.hpp"

namespace bridgecast::client {

struct WsClientProtocol {
  static int Callback(lws* wsi, lws_callback_reasons reason, void*, void* in, size_t len) {
    // Vhost-level events and connections of destroyed clients carry no client.
    auto* client = wsi ? static_cast<WsClient*>(lws_get_opaque_user_data(wsi)) : nullptr;
    if (!client) return 0;
    return client->OnEvent(wsi, reason, in, len);
  }
};

namespace {

constexpr const char* kProtocolName = "bridgecast-ws-client";

const lws_protocols kProtocols[] = {
    {kProtocolName, &WsClientProtocol::Callback, 0, 0, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

std::string Text(const void* in, size_t len) {
  return in ? std::string(static_cast<const char*>(in), len) : std::string();
}

}  // namespace

namespace detail {
const lws_protocols* WsClientProtocols() { return kProtocols; }
}  // namespace detail

WsClient::WsClient(WsContext& context, WsClientOptions options, Listener& listener)
    : context_(context), options_(std::move(options)), listener_(listener) {}

WsClient::~WsClient() {
  if (wsi_ && !closed_notified_) {
    lws_set_opaque_user_data(wsi_, nullptr);
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  }
}

void WsClient::Connect() {
  lws_client_connect_info info{};
  info.context = context_.get();
  info.address = options_.host.c_str();
  info.port = options_.port;
  info.path = options_.path.c_str();
  info.host = info.address;
  info.protocol = options_.subprotocol.empty() ? nullptr : options_.subprotocol.c_str();
  info.local_protocol_name = kProtocolName;
  // The node's certificate is self-signed. With a pin, the pin is the check
  // that matters, so chain problems (expiry, CA flags) are tolerated too.
  info.ssl_connection =
      LCCSCF_USE_SSL | LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
  if (!options_.certificate_sha256.empty()) {
    info.ssl_connection |= LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
  }
  if (!options_.tls) info.ssl_connection = 0;
  info.opaque_user_data = this;
  lws* wsi = lws_client_connect_via_info(&info);
  if (closed_notified_) return;  // failed inside the call and already reported
  if (!wsi) {
    NotifyClosed(nullptr, "cannot start a connection to " + options_.host + ":" +
                              std::to_string(options_.port));
    return;
  }
  wsi_ = wsi;
}

void WsClient::Send(std::string text) {
  if (closed_notified_ || close_requested_) return;
  outbox_.push_back(std::move(text));
  if (open_) lws_callback_on_writable(wsi_);
}

void WsClient::Close() {
  if (!wsi_ || closed_notified_ || close_requested_) return;
  close_requested_ = true;
  if (open_) {
    lws_callback_on_writable(wsi_);
  } else {
    failure_ = "closed before the connection opened";
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  }
}

int WsClient::OnEvent(lws* wsi, int reason, void* in, size_t len) {
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      wsi_ = wsi;
      if (options_.tls && !options_.certificate_sha256.empty()) {
        auto fingerprint = PeerCertificateSha256(lws_get_ssl(wsi));
        if (!fingerprint) {
          failure_ = "certificate check failed: " + fingerprint.error().message;
          certificate_rejected_ = true;
          return -1;
        }
        if (!FingerprintsEqual(*fingerprint, options_.certificate_sha256)) {
          failure_ = "certificate pin mismatch: the server presented " + *fingerprint;
          certificate_rejected_ = true;
          return -1;
        }
      }
      open_ = true;
      if (!outbox_.empty() || close_requested_) lws_callback_on_writable(wsi);
      listener_.OnOpen();
      return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
      if (inbox_.size() + len > kMaxMessage) {
        failure_ = "received a message over " + std::to_string(kMaxMessage) + " bytes";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nullptr, 0);
        return -1;
      }
      inbox_.append(static_cast<const char*>(in), len);
      if (lws_is_final_fragment(wsi)) {
        std::string message = std::move(inbox_);
        inbox_.clear();
        listener_.OnMessage(message);
      }
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE: return OnWriteable();
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (len >= 2) {
        const auto* bytes = static_cast<const unsigned char*>(in);
        peer_close_code_ = (bytes[0] << 8) | bytes[1];
        peer_close_reason_.assign(reinterpret_cast<const char*>(bytes) + 2, len - 2);
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      NotifyClosed(wsi, failure_.empty() ? "connection failed: " + Text(in, len) : failure_);
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED: {
      std::string reason_text = failure_;
      if (reason_text.empty()) {
        reason_text = close_requested_ ? "closed" : "closed by the server";
        if (peer_close_code_) {
          reason_text += " (" + std::to_string(peer_close_code_) +
                         (peer_close_reason_.empty() ? "" : " " + peer_close_reason_) + ")";
        }
      }
      NotifyClosed(wsi, reason_text);
      return 0;
    }
    case LWS_CALLBACK_WSI_DESTROY:
      NotifyClosed(wsi, failure_.empty() ? "connection lost" : failure_);
      return 0;
    default: return 0;
  }
}

int WsClient::OnWriteable() {
  if (!outbox_.empty()) {
    const std::string& text = outbox_.front();
    write_buffer_.assign(LWS_PRE, '\0');
    write_buffer_.append(text);
    auto* payload = reinterpret_cast<unsigned char*>(write_buffer_.data()) + LWS_PRE;
    int written = lws_write(wsi_, payload, text.size(), LWS_WRITE_TEXT);
    if (written < static_cast<int>(text.size())) {
      failure_ = "write failed";
      return -1;
    }
    outbox_.pop_front();
    if (!outbox_.empty() || close_requested_) lws_callback_on_writable(wsi_);
    return 0;
  }
  if (close_requested_) {
    lws_close_reason(wsi_, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
    return -1;
  }
  return 0;
}

void WsClient::NotifyClosed(lws* wsi, std::string reason) {
  if (closed_notified_) return;
  closed_notified_ = true;
  open_ = false;
  if (wsi) lws_set_opaque_user_data(wsi, nullptr);
  wsi_ = nullptr;
  // Deferred so that no listener call happens inside lws internals or inside
  // Connect()/Close(); a client destroyed before then reports nothing.
  media::PostIfAlive(lifetime_.Watch(),
                     [this, reason = std::move(reason)] { listener_.OnClosed(reason); });
}

}  // namespace bridgecast::client
