// The benchmark's load generator: N receiving points in one process on one
// GLib loop (webrtcbin each, no decoding except one sampled point), against
// the node (join-links.json) or a Janus streaming mountpoint. It joins them
// 20 ms apart, waits until every point has a frame (or a timeout), lets the
// joins settle, then measures a steady window and prints, on stdout, the
// lines the orchestrator (bench/run.py) keys its /proc samples to:
//   JOINED <points with a frame>/<N> <ms>
//   WINDOW_START
//   WINDOW_END
// and writes a JSON report. See bench/README.md.
#include <glib.h>
#include <gst/gst.h>
#include <libwebsockets.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "client/join_links.hpp"
#include "client/point_runner.hpp"
#include "client/timer.hpp"
#include "client/ws_context.hpp"
#include "janus_signaling.hpp"

namespace bridgecast::bench {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Options {
  int count = 0;
  std::string links;  // the node's join-links.json
  int janus_port = 0;  // or a Janus WebSocket port on 127.0.0.1
  int janus_mountpoint = 1;
  std::string ice_address = "127.0.0.1";
  int decode_index = 0;  // -1: no point decodes
  int fps = 30;
  int join_timeout_s = 30;
  int settle_s = 3;
  int window_s = 10;
  int stagger_ms = 20;
  std::string report;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

json Stats(const std::vector<double>& v, double tail) {
  if (v.empty()) return nullptr;
  return {{"samples", v.size()},
          {"p50", Percentile(v, 0.5)},
          {tail == 0.99 ? "p99" : "p95", Percentile(v, tail)},
          {"max", Percentile(v, 1.0)}};
}

void Line(const std::string& text) {
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
}

Result<std::vector<client::PointClientConfig>> Configs(const Options& o) {
  std::vector<client::PointClientConfig> configs;
  client::JoinLinks links;
  if (!o.links.empty()) {
    auto loaded = client::JoinLinks::Load(o.links);
    if (!loaded) return loaded.error();
    links = std::move(*loaded);
    if (static_cast<size_t>(o.count) > links.points.size()) {
      return Error{"usage", "--count is above the points in " + o.links};
    }
  }
  for (int i = 0; i < o.count; ++i) {
    client::PointClientConfig c;
    c.receiver.decode = i == o.decode_index;
    c.receiver.parse = false;  // the others count frames from RTP headers
    c.receiver.ice_addresses = {o.ice_address};
    if (o.links.empty()) {
      c.point = "janus-" + std::to_string(i);
      client::WsClientOptions ws;
      ws.host = "127.0.0.1";
      ws.port = o.janus_port;
      ws.path = "/";
      ws.subprotocol = "janus-protocol";
      ws.tls = false;
      const int mountpoint = o.janus_mountpoint;
      const std::string name = c.point;
      c.signaling = [ws, mountpoint, name](client::WsContext& context,
                                          client::PointSignaling::Listener& listener) {
        return std::make_unique<JanusSignaling>(context, ws, mountpoint, name, listener);
      };
    } else {
      const client::JoinPoint& p = links.points[i];
      c.point = p.point;
      c.token = p.token;
      c.ws.host = links.host;
      c.ws.port = links.port;
      c.ws.certificate_sha256 = links.certificate_sha256;
    }
    c.receiver.name = c.point;
    configs.push_back(std::move(c));
  }
  return configs;
}

class Run {
 public:
  Run(const Options& o, client::WsContext& context, std::vector<client::PointClientConfig> configs,
      GMainLoop* loop)
      : o_(o), runner_(context, std::move(configs), clock_, [loop] {
          g_main_loop_quit(loop);
        }) {}

  void Start() {
    started_ = clock_.Now();
    runner_.Start(milliseconds(o_.stagger_ms));
    poll_.Start(milliseconds(100), [this] { WaitForFrames(); });
  }

  // Empty if the run ended before its window (every point gave up).
  json Result() const { return result_; }

 private:
  void WaitForFrames() {
    const client::RunReport r = runner_.Report();
    const auto with_frame = std::count_if(r.points.begin(), r.points.end(),
                                          [](const auto& p) { return p.first_frame_ms.has_value(); });
    const auto waited = clock_.Now() - started_;
    if (static_cast<int>(with_frame) < o_.count && waited < seconds(o_.join_timeout_s)) {
      poll_.Start(milliseconds(100), [this] { WaitForFrames(); });
      return;
    }
    joined_ = static_cast<int>(with_frame);
    Line("JOINED " + std::to_string(joined_) + "/" + std::to_string(o_.count) + " " +
         std::to_string(std::chrono::duration_cast<milliseconds>(waited).count()));
    poll_.Start(seconds(o_.settle_s), [this] { OpenWindow(); });
  }

  void OpenWindow() {
    before_ = runner_.Report();
    window_start_ = clock_.Now();
    Line("WINDOW_START");
    poll_.Start(seconds(o_.window_s), [this] { CloseWindow(); });
  }

  void CloseWindow() {
    const client::RunReport after = runner_.Report();
    const double window = std::chrono::duration<double>(clock_.Now() - window_start_).count();
    Line("WINDOW_END");
    const double expected = window * o_.fps;
    json points = json::array();
    std::vector<double> shares, joins, latency;
    uint64_t unread = 0;
    bool all_ok = true;
    for (size_t i = 0; i < after.points.size(); ++i) {
      const client::PointReport& a = after.points[i];
      const client::PointReport& b = before_.points[i];
      const double frames = static_cast<double>(a.frames_received - b.frames_received);
      const double share = expected > 0 ? frames / expected : 0;
      shares.push_back(share);
      all_ok = all_ok && share >= 0.99;
      if (a.first_frame_ms) joins.push_back(static_cast<double>(*a.first_frame_ms));
      latency.insert(latency.end(), a.latency_ms.begin() + static_cast<long>(b.latency_ms.size()),
                     a.latency_ms.end());
      unread += a.stamps_unread - b.stamps_unread;
      points.push_back({{"point", a.point},
                        {"connected", a.connected},
                        {"first_frame_ms", a.first_frame_ms ? json(*a.first_frame_ms) : json()},
                        {"frames_in_window", frames},
                        {"frames_share", share},
                        {"attempts", a.attempts},
                        {"error", a.error}});
    }
    result_ = {{"count", o_.count},
               {"system", o_.links.empty() ? "janus" : "bridgecast"},
               {"joined", joined_},
               {"window_s", window},
               {"fps", o_.fps},
               {"expected_frames", expected},
               {"all_points_ge_99", all_ok && joined_ == o_.count},
               {"frames_share", shares.empty() ? json() : json{{"min", Percentile(shares, 0)},
                                                               {"p50", Percentile(shares, 0.5)}}},
               {"join_ms", Stats(joins, 0.95)},
               {"glass_to_glass_ms", Stats(latency, 0.95)},
               {"stamps_unread", unread},
               {"points", points}};
    runner_.Stop();  // quits the loop once the points closed
  }

  const Options& o_;
  SteadyClock clock_;
  client::PointRunner runner_;
  client::Timer poll_;
  TimePoint started_{};
  TimePoint window_start_{};
  client::RunReport before_;
  int joined_ = 0;
  json result_;
};

int Main(const Options& o) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  auto configs = Configs(o);
  if (!configs) {
    spdlog::error("{}", configs.error().message);
    return 2;
  }
  gst_init(nullptr, nullptr);
  lws_set_log_level(LLL_ERR, nullptr);
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  json result;
  {
    auto context = client::WsContext::Create(loop);
    if (!context) {
      spdlog::error("{}", context.error().message);
      return 1;
    }
    Run run(o, **context, std::move(*configs), loop);
    run.Start();
    g_main_loop_run(loop);
    result = run.Result();
  }
  g_main_loop_unref(loop);
  if (!o.report.empty() && !result.is_null()) {
    std::ofstream out(o.report, std::ios::trunc);
    out << result.dump(2) << "\n";
    if (!out.flush()) return 1;
  }
  if (result.is_null()) {
    spdlog::error("the run ended before its window: every point gave up");
    return 3;
  }
  return result.value("all_points_ge_99", false) ? 0 : 3;
}

}  // namespace
}  // namespace bridgecast::bench

int main(int argc, char** argv) {
  bridgecast::bench::Options o;
  CLI::App app{"N WebRTC receiving points against the node or Janus"};
  app.add_option("--count", o.count, "Points to run (0: only the window)")->check(CLI::Range(0, 2000));
  auto* target = app.add_option_group("target");
  target->add_option("--links", o.links, "The node's join-links.json");
  target->add_option("--janus-port", o.janus_port, "Janus WebSocket port on 127.0.0.1");
  target->require_option(1);
  app.add_option("--janus-mountpoint", o.janus_mountpoint, "Streaming mountpoint id");
  app.add_option("--ice-address", o.ice_address, "The one local address ICE may use");
  app.add_option("--decode-index", o.decode_index, "The one point that decodes (-1: none)");
  app.add_option("--fps", o.fps, "The program's frame rate")->check(CLI::Range(1, 60));
  app.add_option("--join-timeout", o.join_timeout_s, "Seconds to wait for every first frame");
  app.add_option("--settle", o.settle_s, "Seconds between the joins and the window");
  app.add_option("--window", o.window_s, "Seconds measured")->check(CLI::Range(1, 600));
  app.add_option("--stagger-ms", o.stagger_ms, "Between two joins");
  app.add_option("--report", o.report, "JSON report");
  // Not warn: the point client warns about every conference event it does
  // not handle, N x N lines while N points join, which costs the load
  // generator CPU. Failures still reach the report.
  std::string log_level = "error";
  app.add_option("--log-level", log_level, "spdlog level (default error)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("loadgen"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  return bridgecast::bench::Main(o);
}
