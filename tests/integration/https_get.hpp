#pragma once

#include <string>

namespace bridgecast::test {

struct HttpsResponse {
  int status = 0;  // 0: no answer
  std::string content_type;
  std::string body;
};

// One HTTP/1.1 GET over TLS to 127.0.0.1:port (certificate not checked: the
// node's is self-signed), with an optional bearer token; bounded to 10 s.
HttpsResponse HttpsGet(int port, const std::string& path, const std::string& bearer = "");

}  // namespace bridgecast::test
