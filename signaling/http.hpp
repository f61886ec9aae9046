#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bridgecast::signaling {

// Names one request until it is answered (unique per server run).
using HttpExchangeId = std::uint64_t;

struct HttpRequest {
  std::string method;         // GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (else OTHER)
  std::string path;           // without the query string
  std::string authorization;  // the Authorization header, if any
  std::string query;          // "a=1&b=2", without the '?'
  std::string cookie;         // the Cookie header, if any
  std::string content_type;   // the Content-Type header, if any
  std::string body;           // complete when the listener sees it
  HttpExchangeId exchange = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool cacheable = false;
  std::string set_cookie;  // a Set-Cookie header value, if not empty
  // Written after the common headers, e.g. {"Location", "/whip/1"}.
  std::vector<std::pair<std::string, std::string>> headers;
  // Nothing is written now: the owner answers later with Server::Respond.
  bool deferred = false;
};

}  // namespace bridgecast::signaling
