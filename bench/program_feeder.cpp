// Feeds Janus's streaming plugin the node's own program: the same
// media::Program (same encoder settings, CBR filler, capture stamp), its RTP
// tees sent to 127.0.0.1 UDP ports instead of webrtcbins. Runs until SIGINT
// or SIGTERM; prints FEEDING once the pipeline plays.
#include <glib-unix.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "ingest/ingest.hpp"
#include "media/program.hpp"

namespace bridgecast::bench {
namespace {

struct Options {
  int video_port = 0;
  int audio_port = 0;
  int width = 1280;
  int height = 720;
  int fps = 30;
  int video_kbps = 1500;
  bool cbr_filler = false;
};

struct IgnoreIngest final : ingest::Ingest::Listener {
  void OnIngestChanged() override {}
};

class QuitOnError final : public media::Program::Listener {
 public:
  explicit QuitOnError(GMainLoop* loop) : loop_(loop) {}
  void OnProgramError(const std::string& message) override {
    spdlog::error("program failed: {}", message);
    failed_ = true;
    g_main_loop_quit(loop_);
  }
  bool failed() const { return failed_; }

 private:
  GMainLoop* loop_;
  bool failed_ = false;
};

// tee -> queue -> udpsink 127.0.0.1:port, like a point's branch without webrtcbin.
bool AddUdpBranch(media::Program& program, GstElement* tee, int port) {
  media::GstElementPtr queue = media::MakeElement("queue");
  media::GstElementPtr sink = media::MakeElement("udpsink");
  if (!queue || !sink) return false;
  g_object_set(sink.get(), "host", "127.0.0.1", "port", port, "sync", FALSE, "async", FALSE,
               nullptr);
  GstBin* bin = GST_BIN(program.pipeline());
  GstElement* q = media::AddToBin(bin, std::move(queue));
  GstElement* s = media::AddToBin(bin, std::move(sink));
  if (!q || !s || !gst_element_link(q, s)) return false;
  media::GstPadPtr tee_pad(gst_element_request_pad_simple(tee, "src_%u"));
  media::GstPadPtr queue_sink(gst_element_get_static_pad(q, "sink"));
  return gst_pad_link(tee_pad.get(), queue_sink.get()) == GST_PAD_LINK_OK;
}

gboolean Quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;
}

int Main(const Options& o) {
  gst_init(nullptr, nullptr);
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  const guint sigint = g_unix_signal_add(SIGINT, Quit, loop);
  const guint sigterm = g_unix_signal_add(SIGTERM, Quit, loop);
  int code = 0;
  {
    media::ProgramConfig config;
    config.width = o.width;
    config.height = o.height;
    config.fps = o.fps;
    config.video_bitrate = Bitrate::KilobitsPerSecond(o.video_kbps);
    config.cbr_filler = o.cbr_filler;
    config.capture_stamp = true;  // Janus's viewers measure glass-to-glass like the node's
    QuitOnError listener(loop);
    SteadyClock clock;
    auto program = media::Program::Create(config, listener, clock);
    if (!program) {
      spdlog::error("{}", program.error().message);
      return 1;
    }
    // The node's default source: the test pattern.
    IgnoreIngest ingest_listener;
    auto sources = ingest::Ingest::Create(**program, {}, {}, ingest_listener);
    if (!sources) {
      spdlog::error("{}", sources.error().message);
      return 1;
    }
    if (!AddUdpBranch(**program, (*program)->video_tee(), o.video_port) ||
        !AddUdpBranch(**program, (*program)->audio_tee(), o.audio_port)) {
      spdlog::error("cannot link the program to UDP");
      return 1;
    }
    if (Status started = (*program)->Start(); !started) {
      spdlog::error("{}", started.error().message);
      return 1;
    }
    (*sources)->Start();
    std::printf("FEEDING\n");
    std::fflush(stdout);
    g_main_loop_run(loop);
    code = listener.failed() ? 1 : 0;
  }
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_main_loop_unref(loop);
  return code;
}

}  // namespace
}  // namespace bridgecast::bench

int main(int argc, char** argv) {
  bridgecast::bench::Options o;
  CLI::App app{"The node's program as plain RTP to 127.0.0.1 (for Janus)"};
  app.add_option("--video-port", o.video_port, "UDP port for H.264 RTP")->required();
  app.add_option("--audio-port", o.audio_port, "UDP port for Opus RTP")->required();
  app.add_option("--width", o.width);
  app.add_option("--height", o.height);
  app.add_option("--fps", o.fps);
  app.add_option("--video-kbps", o.video_kbps);
  app.add_flag("--cbr-filler", o.cbr_filler);
  CLI11_PARSE(app, argc, argv);
  return bridgecast::bench::Main(o);
}
