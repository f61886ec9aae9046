#include "https_get.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace bridgecast::test {
namespace {

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  const timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Parses status line and headers; the body is what follows, cut to
// Content-Length (none after HEAD). `used` is the length of the whole
// answer once it has arrived, else 0.
HttpsResponse Parse(const std::string& raw, bool head, size_t* used = nullptr) {
  HttpsResponse response;
  if (used) *used = 0;
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.size() < 12) return response;
  response.status = std::atoi(raw.substr(9, 3).c_str());
  size_t length = std::string::npos;
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    const size_t next = raw.find("\r\n", line);
    const std::string header = raw.substr(line, next - line);
    const size_t colon = header.find(':');
    if (colon != std::string::npos) {
      const std::string name = Lower(header.substr(0, colon));
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (name == "content-type") response.content_type = value;
      if (name == "content-length") length = head ? 0 : std::strtoul(value.c_str(), nullptr, 10);
      response.headers.emplace_back(name, value);
    }
    line = next + 2;
  }
  response.body = raw.substr(end + 4, length);
  if (used && length != std::string::npos && response.body.size() == length) {
    *used = end + 4 + length;
  }
  return response;
}

// Writes all of `data`; false if the connection failed.
bool WriteAll(SSL* ssl, const char* data, size_t size) {
  while (size > 0) {
    const int n = SSL_write(ssl, data, static_cast<int>(size));
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Stops at the first failed write. The last request closes the connection.
void SendRequest(SSL* ssl, const HttpsRequest& r, bool last) {
  std::string head = r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!r.bearer.empty()) head += "Authorization: Bearer " + r.bearer + "\r\n";
  for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
  if (!r.no_length && (!r.body.empty() || (r.method != "GET" && r.method != "HEAD"))) {
    head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  head += last ? "Connection: close\r\n\r\n" : "\r\n";
  if (!WriteAll(ssl, head.data(), head.size())) return;
  const size_t piece = r.body_piece ? r.body_piece : r.body.size();
  for (size_t at = 0; at < r.body.size(); at += piece) {
    if (at > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!WriteAll(ssl, r.body.data() + at, std::min(piece, r.body.size() - at))) return;
  }
}

}  // namespace

std::string HttpsResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

std::vector<HttpsResponse> HttpsSendAll(int port, const std::vector<HttpsRequest>& requests) {
  std::vector<HttpsResponse> responses;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                         SSL_CTX_free);
  const int fd = Connect(port);
  if (!ctx || fd < 0) return std::vector<HttpsResponse>(requests.size());
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  const bool connected = SSL_connect(ssl.get()) == 1;
  std::string raw;
  for (const HttpsRequest& request : requests) {
    const bool head = request.method == "HEAD";
    size_t used = 0;
    if (connected) {
      SendRequest(ssl.get(), request, &request == &requests.back());
      // Read even if sending failed: a server may answer (413) before taking
      // the whole body.
      char chunk[16384];
      const auto patience = std::chrono::duration_cast<std::chrono::microseconds>(request.patience);
      const timeval wait{static_cast<time_t>(patience.count() / 1'000'000),
                         static_cast<suseconds_t>(patience.count() % 1'000'000)};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
      // Bounded: at most 64 MiB, each read at most `patience` (SO_RCVTIMEO).
      for (int i = 0; i < 4096; ++i) {
        const int n = SSL_read(ssl.get(), chunk, sizeof chunk);
        if (n <= 0) break;
        raw.append(chunk, static_cast<size_t>(n));
        Parse(raw, head, &used);
        if (used) break;
      }
    }
    responses.push_back(Parse(raw, head));
    raw.erase(0, used ? used : raw.size());
  }
  close(fd);
  return responses;
}

HttpsResponse HttpsSend(int port, const HttpsRequest& request) {
  return HttpsSendAll(port, {request}).front();
}

HttpsResponse HttpsGet(int port, const std::string& path, const std::string& bearer) {
  HttpsRequest request;
  request.path = path;
  request.bearer = bearer;
  return HttpsSend(port, request);
}

}  // namespace bridgecast::test
