#include "app/node_config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "agenda/text.hpp"

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

Result<std::string> String(const json& j, const char* key, const std::string& where) {
  if (!j[key].is_string()) return Bad("'" + where + "." + key + "' must be a string");
  return j[key].get<std::string>();
}

Result<ingest::SourceConfig> ParseSource(const json& s, size_t index) {
  const std::string where = "ingest.sources[" + std::to_string(index) + "]";
  if (!s.is_object()) return Bad("'" + where + "' must be an object");
  Status keys = CheckKeys(s,
                          {"id", "label", "kind", "uri", "path", "passphrase", "loop", "transport",
                           "video", "audio", "pattern", "tone_hz", "backup", "takeover"},
                          where);
  if (!keys) return keys.error();
  ingest::SourceConfig out;
  if (!s.contains("id") || !s["id"].is_string() || !agenda::IsSourceId(s["id"].get<std::string>())) {
    return Bad("'" + where + ".id' must be 1..32 of a-z, 0-9, '-', '_'");
  }
  out.id = s["id"].get<std::string>();
  const std::string at = "ingest.sources." + out.id;
  if (!s.contains("kind") || !s["kind"].is_string()) return Bad("'" + at + ".kind' is required");
  const std::string kind = s["kind"].get<std::string>();
  using K = ingest::SourceKind;
  const std::pair<const char*, K> kinds[] = {{"test_pattern", K::kTestPattern}, {"file", K::kFile},
                                             {"srt", K::kSrt},   {"rtsp", K::kRtsp},
                                             {"device", K::kDevice}, {"whip", K::kWhip}};
  bool known = false;
  for (auto [name, k] : kinds) {
    if (kind == name) out.kind = k, known = true;
  }
  if (!known) {
    return Bad("'" + at + ".kind' must be test_pattern, file, srt, rtsp, device or whip");
  }
  for (auto [key, field] :
       {std::pair{"label", &out.label}, std::pair{"passphrase", &out.passphrase},
        std::pair{"pattern", &out.pattern}, std::pair{"video", &out.video_device},
        std::pair{"audio", &out.audio_device}, std::pair{"backup", &out.backup}}) {
    if (!s.contains(key)) continue;
    auto v = String(s, key, at);
    if (!v) return v.error();
    *field = *v;
  }
  for (auto [key, field] : {std::pair{"loop", &out.loop}, std::pair{"takeover", &out.takeover}}) {
    if (!s.contains(key)) continue;
    if (!s[key].is_boolean()) return Bad("'" + at + "." + key + "' must be true or false");
    *field = s[key].get<bool>();
  }
  if (s.contains("tone_hz")) {
    auto v = Integer(s, "tone_hz", 0, 20000);
    if (!v) return v.error();
    out.tone_hz = static_cast<int>(*v);
  }
  const char* location = out.kind == K::kFile ? "path" : "uri";
  const bool needs_location = out.kind == K::kFile || out.kind == K::kSrt || out.kind == K::kRtsp;
  if (needs_location) {
    if (!s.contains(location)) return Bad("'" + at + "." + location + "' is required");
    auto v = String(s, location, at);
    if (!v) return v.error();
    out.uri = *v;
  }
  if (s.contains(out.kind == K::kFile ? "uri" : "path")) {
    return Bad("'" + at + "': a " + kind + " source takes '" + location + "'");
  }
  if (out.kind == K::kSrt && !out.uri.starts_with("srt://")) {
    return Bad("'" + at + ".uri' must be srt://HOST:PORT?mode=listener|caller");
  }
  if (out.kind == K::kRtsp && !out.uri.starts_with("rtsp://") && !out.uri.starts_with("rtsps://")) {
    return Bad("'" + at + ".uri' must be rtsp://...");
  }
  if (!out.passphrase.empty() && (out.passphrase.size() < 10 || out.passphrase.size() > 79)) {
    return Bad("'" + at + ".passphrase' must be 10..79 characters (SRT)");
  }
  if (s.contains("transport")) {
    auto v = String(s, "transport", at);
    if (!v) return v.error();
    if (*v != "auto" && *v != "tcp") return Bad("'" + at + ".transport' must be auto or tcp");
    out.rtsp_tcp_only = *v == "tcp";
  }
  if (out.kind == K::kDevice) {
    if (!out.video_device.starts_with("/dev/")) {
      return Bad("'" + at + ".video' must be a V4L2 device such as /dev/video0");
    }
    const std::string& a = out.audio_device;
    if (!a.empty() && !a.starts_with("alsa:") && a != "pulse" && !a.starts_with("pulse:")) {
      return Bad("'" + at + ".audio' must be alsa:DEVICE, pulse or pulse:SOURCE");
    }
  }
  return out;
}

Status ApplyIngest(const json& j, ingest::IngestConfig& config, media::ProgramConfig& program) {
  if (!j.is_object()) return Bad("'ingest' must be an object");
  Status keys = CheckKeys(j,
                          {"sources", "on_air", "slate_image", "slate_text", "stall_ms",
                           "loudness_lufs", "normalize_loudness"},
                          "ingest");
  if (!keys) return keys;
  if (j.contains("sources")) {
    if (!j["sources"].is_array() || j["sources"].empty() || j["sources"].size() > 16) {
      return Bad("'ingest.sources' must be an array of 1..16 sources");
    }
    config.sources.clear();
    for (size_t i = 0; i < j["sources"].size(); ++i) {
      auto source = ParseSource(j["sources"][i], i);
      if (!source) return source.error();
      for (const auto& other : config.sources) {
        if (other.id == source->id) return Bad("source id '" + source->id + "' is used twice");
      }
      config.sources.push_back(std::move(*source));
    }
    for (const auto& s : config.sources) {
      if (s.backup.empty()) continue;
      bool found = false;
      for (const auto& other : config.sources) found = found || other.id == s.backup;
      if (!found || s.backup == s.id) {
        return Bad("'ingest.sources." + s.id + ".backup' must name another source");
      }
    }
  }
  if (j.contains("on_air")) {
    auto v = String(j, "on_air", "ingest");
    if (!v) return v.error();
    bool found = config.sources.empty() && *v == "test";
    for (const auto& s : config.sources) found = found || s.id == *v;
    if (!found) return Bad("'ingest.on_air' must name a declared source");
    config.on_air = *v;
  }
  for (auto [key, field] : {std::pair{"slate_image", &program.slate_image},
                            std::pair{"slate_text", &program.slate_text}}) {
    if (!j.contains(key)) continue;
    auto v = String(j, key, "ingest");
    if (!v) return v.error();
    *field = *v;
  }
  if (j.contains("stall_ms")) {
    auto v = Integer(j, "stall_ms", 100, 10000);
    if (!v) return v.error();
    config.stall = std::chrono::milliseconds(*v);
  }
  if (j.contains("loudness_lufs")) {
    if (!j["loudness_lufs"].is_number() || j["loudness_lufs"].get<double>() < -40 ||
        j["loudness_lufs"].get<double>() > -5) {
      return Bad("'ingest.loudness_lufs' must be a number -40..-5");
    }
    config.loudness_lufs = j["loudness_lufs"].get<double>();
  }
  if (j.contains("normalize_loudness")) {
    if (!j["normalize_loudness"].is_boolean()) {
      return Bad("'ingest.normalize_loudness' must be true or false");
    }
    config.normalize_loudness = j["normalize_loudness"].get<bool>();
  }
  return Ok{};
}

// "health": warn/alarm pairs, each warn at most its alarm.
Status ApplyFloor(const json& j, floor::FloorConfig& config) {
  if (!j.is_object()) return Bad("'floor' must be an object");
  Status keys = CheckKeys(j, {"layout", "return_srt", "stall_ms"}, "floor");
  if (!keys) return keys;
  if (j.contains("layout")) {
    const auto layout =
        j["layout"].is_string() ? floor::ParseFloorLayout(j["layout"].get<std::string>())
                                : std::nullopt;
    if (!layout) {
      return Bad("'floor.layout' must be \"speaker_pip\", \"side_by_side\" or \"hall_caption\"");
    }
    config.layout = *layout;
  }
  if (j.contains("return_srt")) {
    if (!j["return_srt"].is_string() ||
        !(j["return_srt"].get<std::string>().empty() ||
          j["return_srt"].get<std::string>().starts_with("srt://"))) {
      return Bad("'floor.return_srt' must be an srt:// URI, or empty for none");
    }
    config.return_srt = j["return_srt"].get<std::string>();
  }
  if (j.contains("stall_ms")) {
    if (!j["stall_ms"].is_number_integer() || j["stall_ms"].get<int64_t>() < 100 ||
        j["stall_ms"].get<int64_t>() > 10000) {
      return Bad("'floor.stall_ms' must be an integer 100..10000");
    }
    config.stall = std::chrono::milliseconds(j["stall_ms"].get<int64_t>());
  }
  return Ok{};
}

Status ApplyLimits(const json& j, signaling::ConnectionLimits& limits) {
  if (!j.is_object()) return Bad("'limits' must be an object");
  Status keys = CheckKeys(j, {"hello_timeout_ms", "max_errors"}, "limits");
  if (!keys) return keys;
  if (j.contains("hello_timeout_ms")) {
    if (!j["hello_timeout_ms"].is_number_integer() || j["hello_timeout_ms"].get<int64_t>() < 1000 ||
        j["hello_timeout_ms"].get<int64_t>() > 300000) {
      return Bad("'limits.hello_timeout_ms' must be an integer 1000..300000");
    }
    limits.hello_timeout = std::chrono::milliseconds(j["hello_timeout_ms"].get<int64_t>());
  }
  if (j.contains("max_errors")) {
    if (!j["max_errors"].is_number_integer() || j["max_errors"].get<int64_t>() < 1 ||
        j["max_errors"].get<int64_t>() > 10000) {
      return Bad("'limits.max_errors' must be an integer 1..10000");
    }
    limits.max_errors = static_cast<int>(j["max_errors"].get<int64_t>());
  }
  return Ok{};
}

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
      CheckKeys(j,
                {"listen", "state_dir", "conference", "public_url", "program", "ingest", "ice",
                 "health", "floor", "limits"},
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
  if (j.contains("ingest")) {
    Status s = ApplyIngest(j["ingest"], next.ingest, next.program);
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
  if (j.contains("floor")) {
    Status s = ApplyFloor(j["floor"], next.floor);
    if (!s) return s;
  }
  if (j.contains("limits")) {
    Status s = ApplyLimits(j["limits"], next.limits);
    if (!s) return s;
  }
  config = std::move(next);
  return Ok{};
}

}  // namespace bridgecast::app
