#include "app/node_config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace bridgecast::app {
namespace {

using nlohmann::json;

Error Bad(std::string message) { return Error{"bad_config", std::move(message)}; }

Status CheckKeys(const json& j, std::initializer_list<std::string_view> allowed,
                 const std::string& where) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) return Bad(where + ": unknown setting '" + key + "'");
  }
  return Ok{};
}

Result<int64_t> Integer(const json& j, const char* key, int64_t min, int64_t max) {
  const json& v = j[key];
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    return Bad(std::string("'") + key + "' must be an integer " + std::to_string(min) + ".." +
               std::to_string(max));
  }
  return v.get<int64_t>();
}

Status ApplyProgram(const json& p, media::ProgramConfig& program) {
  if (!p.is_object()) return Bad("'program' must be an object");
  Status keys = CheckKeys(p,
                          {"width", "height", "fps", "video_kbps", "audio_kbps", "cbr_filler",
                           "capture_stamp",
                           "keyframe_interval_ms"},
                          "program");
  if (!keys) return keys;
  struct IntSetting {
    const char* key;
    int64_t min, max;
  };
  for (IntSetting s : {IntSetting{"width", 16, 3840}, IntSetting{"height", 16, 2160},
                       IntSetting{"fps", 1, 60}, IntSetting{"video_kbps", 100, 20000},
                       IntSetting{"audio_kbps", 6, 510},
                       IntSetting{"keyframe_interval_ms", 100, 60000}}) {
    if (!p.contains(s.key)) continue;
    auto v = Integer(p, s.key, s.min, s.max);
    if (!v) return v.error();
    const std::string_view key = s.key;
    if (key == "width") program.width = static_cast<int>(*v);
    if (key == "height") program.height = static_cast<int>(*v);
    if (key == "fps") program.fps = static_cast<int>(*v);
    if (key == "video_kbps") program.video_bitrate = Bitrate::KilobitsPerSecond(*v);
    if (key == "audio_kbps") program.audio_bitrate = Bitrate::KilobitsPerSecond(*v);
    if (key == "keyframe_interval_ms") program.keyframe_interval = std::chrono::milliseconds(*v);
  }
  for (auto [key, field] : {std::pair{"cbr_filler", &program.cbr_filler},
                            std::pair{"capture_stamp", &program.capture_stamp}}) {
    if (!p.contains(key)) continue;
    if (!p[key].is_boolean()) return Bad(std::string("'") + key + "' must be true or false");
    *field = p[key].get<bool>();
  }
  return Ok{};
}

Status ApplyIce(const json& ice, media::IceConfig& config) {
  if (!ice.is_object()) return Bad("'ice' must be an object");
  Status keys = CheckKeys(ice, {"addresses", "stun_server"}, "ice");
  if (!keys) return keys;
  if (ice.contains("addresses")) {
    if (!ice["addresses"].is_array()) return Bad("'ice.addresses' must be an array");
    config.addresses.clear();
    for (const json& a : ice["addresses"]) {
      if (!a.is_string() || !IsIpAddress(a.get<std::string>())) {
        return Bad("'ice.addresses' entries must be IP addresses");
      }
      config.addresses.push_back(a.get<std::string>());
    }
  }
  if (ice.contains("stun_server")) {
    if (!ice["stun_server"].is_string()) return Bad("'ice.stun_server' must be a string");
    config.stun_server = ice["stun_server"].get<std::string>();
  }
  return Ok{};
}

// "health": warn/alarm pairs, each warn at most its alarm.
Status ApplyHealth(const json& h, signaling::HealthThresholds& t) {
  if (!h.is_object()) return Bad("'health' must be an object");
  Status keys = CheckKeys(h,
                          {"loss_warn", "loss_alarm", "rtt_warn_ms", "rtt_alarm_ms",
                           "jitter_warn_ms", "jitter_alarm_ms"},
                          "health");
  if (!keys) return keys;
  struct Pair {
    const char* warn_key;
    const char* alarm_key;
    double* warn;
    double* alarm;
    double max;
  };
  for (const Pair& p : {Pair{"loss_warn", "loss_alarm", &t.loss_warn, &t.loss_alarm, 1.0},
                        Pair{"rtt_warn_ms", "rtt_alarm_ms", &t.rtt_warn_ms, &t.rtt_alarm_ms, 60000},
                        Pair{"jitter_warn_ms", "jitter_alarm_ms", &t.jitter_warn_ms,
                             &t.jitter_alarm_ms, 60000}}) {
    for (auto [key, field] : {std::pair{p.warn_key, p.warn}, std::pair{p.alarm_key, p.alarm}}) {
      if (!h.contains(key)) continue;
      if (!h[key].is_number() || h[key].get<double>() < 0 || h[key].get<double>() > p.max) {
        return Bad(std::string("'health.") + key + "' must be a number 0.." +
                   json(p.max).dump());
      }
      *field = h[key].get<double>();
    }
    if (*p.warn > *p.alarm) {
      return Bad(std::string("'health.") + p.warn_key + "' must not exceed '" + p.alarm_key + "'");
    }
  }
  return Ok{};
}

}  // namespace

bool IsIpAddress(std::string_view text) {
  const std::string s(text);
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buffer) == 1 || inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress out;
  std::string_view host;
  std::string_view port;
  if (text.starts_with("[")) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return Bad("listen address must be [IPv6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Bad("listen address must be ADDR:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!IsIpAddress(host)) return Bad("listen address '" + std::string(host) + "' is not an IP");
  int port_number = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (ec != std::errc() || end != port.data() + port.size() || port_number < 0 ||
      port_number > 65535) {
    return Bad("listen port must be 0..65535");
  }
  out.host = std::string(host);
  out.port = port_number;
  return out;
}

Status ApplyConfigFile(std::string_view json_text, NodeConfig& config) {
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Bad("config must be a JSON object");
  Status keys =
      CheckKeys(j, {"listen", "state_dir", "conference", "public_url", "program", "ice", "health"},
                "config");
  if (!keys) return keys;
  NodeConfig next = config;
  for (auto [key, field] : {std::pair{"state_dir", &next.state_dir},
                            std::pair{"conference", &next.conference_file},
                            std::pair{"public_url", &next.public_url}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string()) return Bad(std::string("'") + key + "' must be a string");
    *field = j[key].get<std::string>();
  }
  if (j.contains("listen")) {
    if (!j["listen"].is_string()) return Bad("'listen' must be a string");
    auto listen = ParseListenAddress(j["listen"].get<std::string>());
    if (!listen) return listen.error();
    next.listen = *listen;
  }
  if (j.contains("program")) {
    Status s = ApplyProgram(j["program"], next.program);
    if (!s) return s;
  }
  if (j.contains("ice")) {
    Status s = ApplyIce(j["ice"], next.ice);
    if (!s) return s;
  }
  if (j.contains("health")) {
    Status s = ApplyHealth(j["health"], next.health);
    if (!s) return s;
  }
  config = std::move(next);
  return Ok{};
}

}  // namespace bridgecast::app
