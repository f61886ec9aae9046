#include "client/point_command.hpp"

#include <glib-unix.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <fstream>
#include <memory>

#include "client/join_links.hpp"
#include "client/point_runner.hpp"
#include "client/ws_context.hpp"
#include "signaling/lws_log.hpp"

namespace bridgecast::client {
namespace {

constexpr auto kStagger = std::chrono::milliseconds(20);

// RRGGBB, six hex digits.
const CLI::Validator ColourHex(
    [](const std::string& text) -> std::string {
      if (text.size() == 6 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
        return {};
      }
      return "expected RRGGBB (six hex digits), got " + text;
    },
    "RRGGBB");

gboolean OnStopSignal(gpointer runner) {
  static_cast<PointRunner*>(runner)->Stop();
  return G_SOURCE_CONTINUE;
}

// The points to run, in links-file order, or an error message.
Result<std::vector<const JoinPoint*>> ChoosePoints(const JoinLinks& links,
                                                   const PointOptions& opts) {
  std::vector<const JoinPoint*> chosen;
  if (!opts.point.empty()) {
    const JoinPoint* p = links.Find(opts.point);
    if (!p) return Error{"usage", "no point \"" + opts.point + "\" in " + opts.links_file};
    chosen.push_back(p);
  } else {
    if (opts.count < 1 || static_cast<size_t>(opts.count) > links.points.size()) {
      return Error{"usage", "--count must be between 1 and " + std::to_string(links.points.size()) +
                                " (points in " + opts.links_file + ")"};
    }
    for (int i = 0; i < opts.count; ++i) chosen.push_back(&links.points[i]);
  }
  if (opts.decode_index < 0 || static_cast<size_t>(opts.decode_index) >= chosen.size()) {
    return Error{"usage", "--decode-index must be below the number of points run (" +
                              std::to_string(chosen.size()) + ")"};
  }
  return chosen;
}

}  // namespace

void AddPointCommand(CLI::App& app, PointOptions& opts) {
  app.add_option("--links", opts.links_file, "join-links.json written by `bridgecast serve`")
      ->required()
      ->check(CLI::ExistingFile);
  CLI::Option_group* target = app.add_option_group("target", "which points to run");
  target->add_option("--point", opts.point, "the id of the point to run");
  target->add_option("--count", opts.count, "run the first N points of the links file")
      ->check(CLI::PositiveNumber);
  target->require_option(1);
  app.add_flag("--headless", opts.headless, "no video window and no sound");
  app.add_option_function<int>(
         "--duration",
         [&opts](const int& seconds) { opts.duration = std::chrono::seconds(seconds); },
         "stop after SECONDS (default: run until SIGINT or SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--report", opts.report_file, "write a JSON report to FILE at the end");
  app.add_option("--decode-index", opts.decode_index,
                 "which of the points run decodes the video (0-based, default 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--record", opts.record_file,
                 "the decoding point writes the H.264 and Opus it receives, as they came, to "
                 "FILE (MPEG-TS, readable while written), for an independent decoder");
  app.add_option_function<std::string>(
         "--uplink-colour",
         [&opts](const std::string& hex) { opts.uplink_colour = std::stoul(hex, nullptr, 16); },
         "while holding the floor, the test camera sends a solid picture of this colour "
         "(RRGGBB, default 00c000)")
      ->check(ColourHex);
  app.add_option("--uplink-tone", opts.uplink_tone_hz,
                 "while holding the floor, the test microphone sends a sine of HZ (default 660)")
      ->check(CLI::Range(20, 20000));
  app.add_option("--uplink-loss", opts.uplink_loss,
                 "drop this fraction (0..0.5) of the uplink's RTP packets after encryption, "
                 "pseudo-randomly with a fixed seed: a lossy line (default 0)")
      ->check(CLI::Range(0.0, 0.5));
  app.add_flag("--no-uplink-video", opts.no_uplink_video,
               "a point without a camera: answers the uplink's video inactive, sends sound only");
  app.add_option("--record-return", opts.record_return_file,
                 "the decoding point writes the sound the node sends back on the floor's uplink "
                 "(the mix-minus), decoded, as WAV (48 kHz, 16-bit): the first time it holds the "
                 "floor to FILE, the Nth time to FILE with -N before the extension "
                 "(return.wav, return-2.wav, ...); each file is finished when that uplink closes "
                 "or the point stops");
  app.add_option("--ice-address", opts.ice_addresses,
                 "use only these local IP addresses for ICE (repeatable)");
}

int RunPoint(const PointOptions& opts) {
  auto links = JoinLinks::Load(opts.links_file);
  if (!links) {
    spdlog::error("{}", links.error().message);
    return 2;
  }
  auto chosen = ChoosePoints(*links, opts);
  if (!chosen) {
    spdlog::error("{}", chosen.error().message);
    return 2;
  }
  for (const std::string& address : opts.ice_addresses) {
    if (!g_hostname_is_ip_address(address.c_str())) {
      spdlog::error("--ice-address {}: not an IP address", address);
      return 2;
    }
  }

  gst_init(nullptr, nullptr);
  bridgecast::signaling::RouteLwsLogToSpdlog();
  std::unique_ptr<GMainLoop, decltype(&g_main_loop_unref)> loop(g_main_loop_new(nullptr, FALSE),
                                                                &g_main_loop_unref);
  auto context = WsContext::Create(loop.get());
  if (!context) {
    spdlog::error("{}", context.error().message);
    return 1;
  }

  const bool single = chosen->size() == 1;
  std::vector<PointClientConfig> configs;
  for (size_t i = 0; i < chosen->size(); ++i) {
    const JoinPoint& p = *(*chosen)[i];
    PointClientConfig c;
    c.point = p.point;
    c.token = p.token;
    c.ws.host = links->host;
    c.ws.port = links->port;
    c.ws.certificate_sha256 = links->certificate_sha256;
    c.receiver.name = p.point;
    c.receiver.decode = static_cast<int>(i) == opts.decode_index;
    c.receiver.display = c.receiver.decode && single && !opts.headless;
    c.receiver.ice_addresses = opts.ice_addresses;
    if (c.receiver.decode) c.receiver.record_file = opts.record_file;
    c.uplink.name = p.point;
    c.uplink.video = !opts.no_uplink_video;
    c.uplink.colour = opts.uplink_colour;
    c.uplink.tone_hz = opts.uplink_tone_hz;
    c.uplink.loss = opts.uplink_loss;
    c.uplink.ice_addresses = opts.ice_addresses;
    c.uplink.play = c.receiver.display;
    if (c.receiver.decode) c.uplink.record_file = opts.record_return_file;
    configs.push_back(std::move(c));
  }
  spdlog::info("joining {} point(s) of \"{}\" at {}", configs.size(), links->conference_title,
               links->server);

  SteadyClock clock;
  RunReport report;
  {
    PointRunner runner(**context, std::move(configs), clock,
                       [&loop] { g_main_loop_quit(loop.get()); });
    guint sigint = g_unix_signal_add(SIGINT, &OnStopSignal, &runner);
    guint sigterm = g_unix_signal_add(SIGTERM, &OnStopSignal, &runner);
    Timer duration;
    if (opts.duration.count() > 0) duration.Start(opts.duration, [&runner] { runner.Stop(); });
    runner.Start(kStagger);
    g_main_loop_run(loop.get());
    g_source_remove(sigint);
    g_source_remove(sigterm);
    report = runner.Report();
  }  // points still open after the grace period are dropped here
  context->reset();

  spdlog::info("{}", report.Summary());
  int code = report.Succeeded() ? 0 : 1;
  if (!opts.report_file.empty()) {
    std::ofstream out(opts.report_file, std::ios::binary | std::ios::trunc);
    out << report.ToJson();
    if (!out.flush()) {
      spdlog::error("cannot write the report to {}", opts.report_file);
      code = 1;
    }
  }
  return code;
}

}  // namespace bridgecast::client
