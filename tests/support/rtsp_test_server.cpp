// An RTSP server for ingest tests: serves a videotestsrc pattern as H.264 and
// a sine tone as AAC on rtsp://127.0.0.1:<port><path>, over UDP and over TCP
// interleaved. Prints `READY <url>` on stdout once listening; runs until
// SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <csignal>
#include <cstdio>
#include <string>

namespace {

struct Options {
  int port = 0;
  std::string path = "/cam";
  std::string pattern = "smpte";
  int tone_hz = 440;
  int width = 640;
  int height = 360;
  int fps = 25;
  bool no_audio = false;
};

// A typo in the pattern would otherwise only show when a client connects.
bool IsVideoTestPattern(const std::string& name) {
  GstElement* source = gst_element_factory_make("videotestsrc", nullptr);
  if (!source) return false;
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(source), "pattern");
  const bool known =
      g_enum_get_value_by_nick(G_PARAM_SPEC_ENUM(spec)->enum_class, name.c_str()) != nullptr;
  gst_object_unref(source);
  return known;
}

std::string LaunchLine(const Options& o) {
  // A keyframe every second, so a client that joins late decodes within one.
  std::string line = "( videotestsrc is-live=true pattern=" + o.pattern +
                     " ! video/x-raw,width=" + std::to_string(o.width) +
                     ",height=" + std::to_string(o.height) +
                     ",framerate=" + std::to_string(o.fps) + "/1" +
                     " ! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast"
                     " key-int-max=" + std::to_string(o.fps) +
                     " ! rtph264pay name=pay0 pt=96 config-interval=-1";
  if (!o.no_audio) {
    line += " audiotestsrc is-live=true wave=sine freq=" + std::to_string(o.tone_hz) +
            " ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2"
            " ! avenc_aac ! rtpmp4gpay name=pay1 pt=97";
  }
  return line + " )";
}

gboolean Quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

// Sessions of clients that vanished without TEARDOWN would otherwise linger.
gboolean CleanupSessions(gpointer server) {
  GstRTSPSessionPool* pool = gst_rtsp_server_get_session_pool(GST_RTSP_SERVER(server));
  gst_rtsp_session_pool_cleanup(pool);
  g_object_unref(pool);
  return G_SOURCE_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"RTSP test server: a test pattern and a tone"};
  app.add_option("--port", o.port, "TCP port; 0 picks a free one")->check(CLI::Range(0, 65535));
  app.add_option("--path", o.path, "Mount path")->check([](const std::string& p) {
    return p.starts_with('/') ? std::string() : std::string("must start with /");
  });
  app.add_option("--video-pattern", o.pattern,
                 "videotestsrc pattern (red, green, blue, snow, smpte…)");
  app.add_option("--tone-hz", o.tone_hz, "Sine frequency")->check(CLI::Range(20, 20000));
  app.add_option("--width", o.width)->check(CLI::Range(16, 4096));
  app.add_option("--height", o.height)->check(CLI::Range(16, 4096));
  app.add_option("--fps", o.fps)->check(CLI::Range(1, 120));
  app.add_flag("--no-audio", o.no_audio, "Video only");
  CLI11_PARSE(app, argc, argv);

  gst_init(nullptr, nullptr);
  if (!IsVideoTestPattern(o.pattern)) {
    std::fprintf(stderr, "unknown videotestsrc pattern: %s\n", o.pattern.c_str());
    return 2;
  }

  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, std::to_string(o.port).c_str());

  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, LaunchLine(o).c_str());
  // One pipeline for all clients, as a camera would serve them.
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  gst_rtsp_media_factory_set_protocols(
      factory, static_cast<GstRTSPLowerTrans>(GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_TCP));
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, o.path.c_str(), factory);
  g_object_unref(mounts);

  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", o.port);
    g_object_unref(server);
    return 1;
  }
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGTERM, Quit, loop);
  g_unix_signal_add(SIGINT, Quit, loop);
  g_timeout_add_seconds(2, CleanupSessions, server);

  std::printf("READY rtsp://127.0.0.1:%d%s\n", gst_rtsp_server_get_bound_port(server),
              o.path.c_str());
  std::fflush(stdout);
  g_main_loop_run(loop);

  g_main_loop_unref(loop);
  g_object_unref(server);
  return 0;
}
