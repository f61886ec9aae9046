#include "client/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace bridgecast::client {
namespace {

using nlohmann::json;

// Nearest-rank percentile; null without samples.
json Percentile(std::vector<double> v, double p) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

bool RunReport::Succeeded() const {
  return std::all_of(points.begin(), points.end(),
                     [](const PointReport& p) { return p.connected && !p.gave_up; });
}

std::string RunReport::ToJson() const {
  json list = json::array();
  for (const PointReport& p : points) {
    list.push_back({{"point", p.point},
                    {"connected", p.connected},
                    {"first_frame_ms", OrNull(p.first_frame_ms)},
                    {"receive_window_s", p.receive_window_s},
                    {"frames_received", p.frames_received},
                    {"keyframes_received", p.keyframes_received},
                    {"frames_decoded", p.frames_decoded},
                    {"width", OrNull(p.width)},
                    {"height", OrNull(p.height)},
                    {"connect_ms", OrNull(p.connect_ms)},
                    {"first_decoded_ms", OrNull(p.first_decoded_ms)},
                    {"glass_to_glass_ms",
                     p.latency_ms.empty()
                         ? json(nullptr)
                         : json{{"samples", p.latency_ms.size()},
                                {"p50", Percentile(p.latency_ms, 0.5)},
                                {"p95", Percentile(p.latency_ms, 0.95)},
                                {"max", Percentile(p.latency_ms, 1.0)}}},
                    {"stamps_unread", p.stamps_unread},
                    {"last_seq", OrNull(p.last_seq)},
                    {"events_received", p.events_received},
                    {"snapshots_received", p.snapshots_received},
                    {"attempts", p.attempts},
                    {"gave_up", p.gave_up},
                    {"error", p.error.empty() ? json(nullptr) : json(p.error)},
                    {"uplink",
                     {{"offers", p.uplink_offers},
                      {"connections", p.uplink_connections},
                      {"last_close_reason", p.uplink_close_reason.empty()
                                                ? json(nullptr)
                                                : json(p.uplink_close_reason)},
                      {"packets_sent", p.uplink_packets_sent},
                      {"bytes_sent", p.uplink_bytes_sent},
                      {"packets_dropped", p.uplink_packets_dropped}}}});
  }
  json doc = {{"points", std::move(list)}, {"duration_s", duration_s}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string RunReport::Summary() const {
  size_t connected = 0;
  uint64_t frames = 0;
  std::vector<int64_t> first;
  for (const PointReport& p : points) {
    connected += p.connected ? 1 : 0;
    frames += p.frames_received;
    if (p.first_frame_ms) first.push_back(*p.first_frame_ms);
  }
  std::string median = "none";
  if (!first.empty()) {
    std::sort(first.begin(), first.end());
    median = std::to_string(first[first.size() / 2]) + " ms";
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "points connected %zu/%zu, frames received %llu in %.1f s, first frame median %s",
                connected, points.size(), static_cast<unsigned long long>(frames), duration_s,
                median.c_str());
  return line;
}

}  // namespace bridgecast::client
