#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::client {

// One bridge point's entry in STATE_DIR/join-links.json (docs/protocol.md).
struct JoinPoint {
  std::string point;  // id, e.g. "ha-noi"
  std::string name;
  std::string url;  // browser link, may be empty
  std::string token;
};

// The links file an operator hands to bridge points.
struct JoinLinks {
  std::string conference_id;
  std::string conference_title;
  std::string server;  // as written, e.g. "https://127.0.0.1:8443"
  std::string host;    // from `server`; IPv6 without brackets
  int port = 443;
  std::string certificate_sha256;  // empty when the file does not pin
  std::vector<JoinPoint> points;

  // Validates the whole file; the error names the offending field.
  static Result<JoinLinks> Parse(std::string_view json);
  static Result<JoinLinks> Load(const std::string& path);

  const JoinPoint* Find(std::string_view point_id) const;
};

// Splits "https://host[:port][/]" into host and port.
struct HttpsAddress {
  std::string host;
  int port = 443;
};
Result<HttpsAddress> ParseHttpsUrl(std::string_view url);

}  // namespace bridgecast::client
