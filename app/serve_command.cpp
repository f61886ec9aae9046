#include "app/serve_command.hpp"

#include <glib-unix.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/node.hpp"

namespace bridgecast::app {
namespace {

Result<NodeConfig> BuildConfig(const ServeOptions& o) {
  NodeConfig config;
  if (!o.config_file.empty()) {
    std::ifstream in(o.config_file);
    if (!in) return Error{"io_error", "cannot read config file " + o.config_file};
    std::ostringstream text;
    text << in.rdbuf();
    Status applied = ApplyConfigFile(text.str(), config);
    if (!applied) return Error{applied.error().code, o.config_file + ": " + applied.error().message};
  }
  if (!o.listen.empty()) {
    auto listen = ParseListenAddress(o.listen);
    if (!listen) return listen.error();
    config.listen = *listen;
  }
  if (!o.state_dir.empty()) config.state_dir = o.state_dir;
  if (!o.conference.empty()) config.conference_file = o.conference;
  if (!o.public_url.empty()) config.public_url = o.public_url;
  for (const std::string& a : o.ice_addresses) {
    if (!IsIpAddress(a)) return Error{"bad_config", "--ice-address " + a + " is not an IP"};
  }
  if (!o.ice_addresses.empty()) config.ice.addresses = o.ice_addresses;
  if (!o.video_size.empty()) {
    int w = 0, h = 0;
    char x = 0;
    std::istringstream in(o.video_size);
    if (!(in >> w >> x >> h) || x != 'x' || !in.eof()) {
      return Error{"bad_config", "--video-size must be WIDTHxHEIGHT"};
    }
    config.program.width = w;
    config.program.height = h;
  }
  if (o.fps) config.program.fps = o.fps;
  if (o.video_kbps) config.program.video_bitrate = Bitrate::KilobitsPerSecond(o.video_kbps);
  if (o.cbr_filler) config.program.cbr_filler = true;
  if (o.capture_stamp) config.program.capture_stamp = true;
  return config;
}

// Every client holds a socket: the usual soft limit (1024) would cap the node
// below a thousand clients. lws sizes its fd table from the limit at context
// creation, so this runs first. Capped, as lws allocates per possible fd.
void RaiseFileLimit() {
  constexpr rlim_t kMaxFiles = 1 << 20;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = std::min(limit.rlim_max, kMaxFiles);
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot raise the open-file limit to {}", static_cast<unsigned long>(wanted));
  }
}

gboolean QuitOnSignal(gpointer loop) {
  spdlog::info("signal received, shutting down");
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;
}

}  // namespace

void AddServeCommand(CLI::App& app, ServeOptions& o) {
  CLI::App* serve = app.add_subcommand("serve", "Run the central node");
  serve->add_option("--listen", o.listen, "ADDR:PORT to listen on (port 0: any free port)");
  serve->add_option("--state-dir", o.state_dir, "Directory for state (default ./var)");
  serve->add_option("--conference", o.conference,
                    "Conference JSON file (default: the bundled reference conference)");
  serve->add_option("--config", o.config_file, "JSON config file (deploy/bridgecast.example.json)");
  serve->add_option("--public-url", o.public_url, "Base URL put in join links");
  serve->add_option("--ice-address", o.ice_addresses, "Local IP that ICE may use (repeatable)");
  serve->add_option("--video-size", o.video_size, "Program size, e.g. 1280x720");
  serve->add_option("--fps", o.fps, "Program frame rate");
  serve->add_option("--video-kbps", o.video_kbps, "Program video bitrate in kbit/s");
  serve->add_flag("--cbr-filler", o.cbr_filler, "Pad the video to a constant bitrate");
  serve->add_flag("--capture-stamp", o.capture_stamp,
                  "Draw each frame's capture time into its top rows (benchmarks, tests)");
}

int RunServe(const ServeOptions& options) {
  auto config = BuildConfig(options);
  if (!config) {
    spdlog::error("{}: {}", config.error().code, config.error().message);
    return 2;
  }
  RaiseFileLimit();
  gst_init(nullptr, nullptr);
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  const guint sigint = g_unix_signal_add(SIGINT, QuitOnSignal, loop);
  const guint sigterm = g_unix_signal_add(SIGTERM, QuitOnSignal, loop);
  int exit_code = 0;
  {
    auto node = Node::Start(loop, *config);
    if (!node) {
      spdlog::error("{}: {}", node.error().code, node.error().message);
      exit_code = 1;
    } else {
      Status links = (*node)->WriteLinks();
      if (!links) {
        spdlog::error("{}: {}", links.error().code, links.error().message);
        exit_code = 1;
      } else {
        const std::string url = (*node)->base_url();
        std::printf("bridgecast listening on https://%s:%d\n",
                    config->listen.host.find(':') != std::string::npos
                        ? ("[" + config->listen.host + "]").c_str()
                        : config->listen.host.c_str(),
                    (*node)->port());
        std::printf("conference: %s (%zu bridge points)\n", (*node)->conference().title.c_str(),
                    (*node)->conference().points.size());
        std::printf("console:    %s/\n", url.c_str());
        std::printf("join links: %s/join-links.json (operator token: %s/operator-token)\n",
                    config->state_dir.c_str(), config->state_dir.c_str());
        std::fflush(stdout);
        g_main_loop_run(loop);
        if ((*node)->failed()) exit_code = 1;
        (*node)->Shutdown(std::chrono::seconds(3));
      }
      node->reset();
    }
  }
  // Let teardown tasks posted by the sessions run before exit.
  for (int i = 0; i < 100 && g_main_context_iteration(nullptr, FALSE); ++i) {
  }
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_main_loop_unref(loop);
  return exit_code;
}

}  // namespace bridgecast::app
