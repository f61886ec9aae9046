#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace bridgecast::test {

struct HttpsResponse {
  int status = 0;  // 0: no answer
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case

  // The first header called `name` (lower case), or "".
  std::string Header(const std::string& name) const;
};

struct HttpsRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string bearer;
  std::vector<std::pair<std::string, std::string>> headers;
  // Sent with a Content-Length unless the method is GET or HEAD and it is
  // empty, or `no_length`.
  std::string body;
  bool no_length = false;
  // Writes the body in pieces of this many bytes, a few ms apart (0: at once).
  size_t body_piece = 0;
  // How long to wait for more of the answer before giving up (and, as the
  // last request, closing the connection).
  std::chrono::milliseconds patience{10'000};
};

// One HTTP/1.1 request over TLS to 127.0.0.1:port (certificate not checked:
// the node's is self-signed); bounded by `patience` per read.
HttpsResponse HttpsSend(int port, const HttpsRequest& request);

// Several requests on one kept-alive connection, each sent once the one
// before is answered; the last closes it. One response per request.
std::vector<HttpsResponse> HttpsSendAll(int port, const std::vector<HttpsRequest>& requests);

// A GET with an optional bearer token.
HttpsResponse HttpsGet(int port, const std::string& path, const std::string& bearer = "");

}  // namespace bridgecast::test
