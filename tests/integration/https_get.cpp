#include "https_get.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace bridgecast::test {
namespace {

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{10, 0};
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
// Content-Length. `complete` tells whether the whole body has arrived.
HttpsResponse Parse(const std::string& raw, bool* complete = nullptr) {
  HttpsResponse response;
  if (complete) *complete = false;
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
      if (name == "content-length") length = std::strtoul(value.c_str(), nullptr, 10);
    }
    line = next + 2;
  }
  response.body = raw.substr(end + 4, length);
  if (complete) *complete = length != std::string::npos && response.body.size() == length;
  return response;
}

}  // namespace

HttpsResponse HttpsGet(int port, const std::string& path, const std::string& bearer) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                         SSL_CTX_free);
  const int fd = Connect(port);
  if (!ctx || fd < 0) return {};
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  std::string raw;
  if (SSL_connect(ssl.get()) == 1) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!bearer.empty()) request += "Authorization: Bearer " + bearer + "\r\n";
    request += "Connection: close\r\n\r\n";
    if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) > 0) {
      char chunk[16384];
      // Bounded: at most 64 MiB, each read at most 10 s (SO_RCVTIMEO).
      for (int i = 0; i < 4096; ++i) {
        const int n = SSL_read(ssl.get(), chunk, sizeof chunk);
        if (n <= 0) break;
        raw.append(chunk, static_cast<size_t>(n));
        bool complete = false;
        Parse(raw, &complete);
        if (complete) break;
      }
    }
  }
  close(fd);
  return Parse(raw);
}

}  // namespace bridgecast::test
