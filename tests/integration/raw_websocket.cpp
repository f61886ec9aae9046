#include "raw_websocket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace bridgecast::test {

struct RawWebSocket::State {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~State() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
    if (fd >= 0) close(fd);
  }
};

RawWebSocket::~RawWebSocket() = default;

std::unique_ptr<RawWebSocket> RawWebSocket::Connect(int port, const std::string& path,
                                                    const std::string& subprotocol) {
  std::unique_ptr<RawWebSocket> ws(new RawWebSocket());
  ws->state_ = std::make_unique<State>();
  State& s = *ws->state_;
  s.fd = socket(AF_INET, SOCK_STREAM, 0);
  if (s.fd < 0) return nullptr;
  timeval timeout{10, 0};
  setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
  s.ctx = SSL_CTX_new(TLS_client_method());
  if (!s.ctx) return nullptr;
  // The node speaks HTTP/1.1 only; say so, as a browser would offer it.
  static const unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(s.ctx, kAlpn, sizeof kAlpn - 1);
  s.ssl = SSL_new(s.ctx);
  SSL_set_fd(s.ssl, s.fd);
  if (SSL_connect(s.ssl) != 1) return nullptr;

  std::string request = "GET " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n";
  if (!subprotocol.empty()) request += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
  request += "\r\n";
  if (SSL_write(s.ssl, request.data(), static_cast<int>(request.size())) <= 0) return nullptr;

  size_t end = std::string::npos;
  while ((end = ws->buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!ws->Fill(std::chrono::seconds(5))) return ws;  // no answer: status 0
  }
  const std::string head = ws->buffer_.substr(0, end);
  ws->buffer_.erase(0, end + 4);
  if (head.size() >= 12) ws->status_ = std::atoi(head.substr(9, 3).c_str());
  size_t line = head.find("\r\n");
  while (line != std::string::npos && line < head.size()) {
    line += 2;
    const size_t next = std::min(head.find("\r\n", line), head.size());
    const std::string header = head.substr(line, next - line);
    if (const size_t colon = header.find(':'); colon != std::string::npos) {
      std::string name = header.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      ws->headers_[name] = value;
    }
    line = next == head.size() ? std::string::npos : next;
  }
  return ws;
}

bool RawWebSocket::Fill(std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(state_->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char chunk[16384];
  const int n = SSL_read(state_->ssl, chunk, sizeof chunk);
  if (n <= 0) {
    const int error = SSL_get_error(state_->ssl, n);
    const bool would_block = errno == EAGAIN || errno == EWOULDBLOCK;
    const bool timed_out =
        error == SSL_ERROR_WANT_READ || (error == SSL_ERROR_SYSCALL && would_block);
    closed_ = !timed_out;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool RawWebSocket::Send(const Frame& frame) {
  std::string out;
  out += static_cast<char>((frame.fin ? 0x80 : 0) | (frame.opcode & 0x0f));
  const size_t n = frame.payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < n; ++i) out += static_cast<char>(frame.payload[i] ^ mask[i % 4]);
  size_t sent = 0;
  while (sent < out.size()) {
    const int w = SSL_write(state_->ssl, out.data() + sent, static_cast<int>(out.size() - sent));
    if (w <= 0) return false;
    sent += static_cast<size_t>(w);
  }
  return true;
}

std::optional<RawWebSocket::Frame> RawWebSocket::Read(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto need = [&](size_t bytes) {
    while (buffer_.size() < bytes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !Fill(left)) return false;
    }
    return true;
  };
  if (!need(2)) return std::nullopt;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(buffer_[i]); };
  Frame frame;
  frame.fin = byte(0) & 0x80;
  frame.opcode = byte(0) & 0x0f;
  size_t length = byte(1) & 0x7f;
  size_t header = 2;
  if (length >= 126) {
    const size_t extra = length == 126 ? 2 : 8;
    if (!need(2 + extra)) return std::nullopt;
    length = 0;
    for (size_t i = 0; i < extra; ++i) length = length << 8 | byte(2 + i);
    header += extra;
  }
  if (!need(header + length)) return std::nullopt;  // server frames are not masked
  frame.payload = buffer_.substr(header, length);
  buffer_.erase(0, header + length);
  return frame;
}

}  // namespace bridgecast::test
