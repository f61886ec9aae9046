#pragma once

#include <string>

namespace bridgecast::signaling {

struct HttpRequest {
  std::string method;
  std::string path;           // without the query string
  std::string authorization;  // the Authorization header, if any
  std::string query;          // "a=1&b=2", without the '?'
  std::string cookie;         // the Cookie header, if any
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool cacheable = false;
  std::string set_cookie;  // a Set-Cookie header value, if not empty
};

}  // namespace bridgecast::signaling
