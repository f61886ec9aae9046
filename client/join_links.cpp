#include "client/join_links.hpp"

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "client/cert_pin.hpp"

namespace bridgecast::client {
namespace {

using nlohmann::json;

Error Bad(std::string message) { return Error{"bad_links", std::move(message)}; }

// Reads a string member; `required` ones must also be non-empty.
Result<std::string> GetString(const json& obj, const char* key, const std::string& where,
                              bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return Bad(where + key + ": missing");
    return std::string();
  }
  if (!it->is_string()) return Bad(where + key + ": must be a string");
  std::string value = it->get<std::string>();
  if (required && value.empty()) return Bad(where + key + ": must not be empty");
  return value;
}

}  // namespace

Result<HttpsAddress> ParseHttpsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Bad("server: must start with https://, got \"" + std::string(url) + "\"");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return Bad("server: must not have a path");
    rest = rest.substr(0, slash);
  }
  HttpsAddress out;
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return Bad("server: unterminated [IPv6] host");
    out.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("server: junk after [IPv6] host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    auto colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (out.host.empty()) return Bad("server: no host");
  if (!has_port) return out;
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return Bad("server: bad port \"" + std::string(port_text) + "\"");
  }
  out.port = port;
  return out;
}

Result<JoinLinks> JoinLinks::Parse(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"bad_json", "links file is not valid JSON"};
  if (!doc.is_object()) return Bad("links file must be a JSON object");

  JoinLinks links;
  auto conf = doc.find("conference");
  if (conf == doc.end() || !conf->is_object()) return Bad("conference: missing or not an object");
  auto id = GetString(*conf, "id", "conference.", true);
  if (!id) return id.error();
  links.conference_id = *id;
  auto title = GetString(*conf, "title", "conference.", false);
  if (!title) return title.error();
  links.conference_title = *title;

  auto server = GetString(doc, "server", "", true);
  if (!server) return server.error();
  auto address = ParseHttpsUrl(*server);
  if (!address) return address.error();
  links.server = *server;
  links.host = address->host;
  links.port = address->port;

  auto pin = GetString(doc, "certificate_sha256", "", false);
  if (!pin) return pin.error();
  if (!pin->empty() && !IsSha256Fingerprint(*pin)) {
    return Bad("certificate_sha256: not a SHA-256 fingerprint (64 hex digits, colons allowed)");
  }
  links.certificate_sha256 = *pin;

  auto points = doc.find("points");
  if (points == doc.end() || !points->is_array()) return Bad("points: missing or not an array");
  if (points->empty()) return Bad("points: empty");
  std::set<std::string> seen;
  for (size_t i = 0; i < points->size(); ++i) {
    const json& entry = (*points)[i];
    std::string where = "points[" + std::to_string(i) + "].";
    if (!entry.is_object()) return Bad(where.substr(0, where.size() - 1) + ": not an object");
    JoinPoint p;
    auto pid = GetString(entry, "point", where, true);
    if (!pid) return pid.error();
    auto name = GetString(entry, "name", where, false);
    if (!name) return name.error();
    auto url = GetString(entry, "url", where, false);
    if (!url) return url.error();
    auto token = GetString(entry, "token", where, true);
    if (!token) return token.error();
    p.point = *pid;
    p.name = *name;
    p.url = *url;
    p.token = *token;
    if (!seen.insert(p.point).second) return Bad(where + "point: duplicate id \"" + p.point + "\"");
    links.points.push_back(std::move(p));
  }
  return links;
}

Result<JoinLinks> JoinLinks::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"io", "cannot read links file " + path};
  std::ostringstream buf;
  buf << in.rdbuf();
  auto links = Parse(buf.str());
  if (!links) return Error{links.error().code, path + ": " + links.error().message};
  return links;
}

const JoinPoint* JoinLinks::Find(std::string_view point_id) const {
  for (const JoinPoint& p : points) {
    if (p.point == point_id) return &p;
  }
  return nullptr;
}

}  // namespace bridgecast::client
