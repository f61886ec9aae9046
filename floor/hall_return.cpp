#include "floor/hall_return.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>

#include "media/bus_error.hpp"

namespace bridgecast::floor {
namespace {

constexpr guint kRestartMs = 2000;

std::string Description(const std::string& uri) {
  const auto latency = std::chrono::nanoseconds(media::Program::kInputLatency).count();
  return fmt::format(
      "appsrc name=video is-live=true format=time min-latency={lat} "
      "caps=video/x-h264,stream-format=byte-stream,alignment=au "
      "max-buffers=60 max-bytes=0 leaky-type=downstream block=false "
      "! h264parse ! queue ! mux. "
      "appsrc name=audio is-live=true format=time min-latency={lat} "
      "caps=audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
      "max-buffers=50 max-bytes=0 leaky-type=downstream block=false "
      "! audioconvert ! avenc_aac bitrate=128000 ! aacparse ! queue ! mux. "
      "mpegtsmux name=mux alignment=7 "
      "! srtsink name=out wait-for-connection=false sync=false async=false",
      fmt::arg("lat", latency));
}

}  // namespace

HallReturn::HallReturn(media::Program& program, std::string uri)
    : program_(program), uri_(std::move(uri)) {}

Result<std::unique_ptr<HallReturn>> HallReturn::Create(media::Program& program,
                                                       const std::string& uri) {
  if (!uri.starts_with("srt://")) {
    return Error{"bad_config", "floor.return_srt must be an srt:// URI"};
  }
  std::unique_ptr<HallReturn> hall_return(new HallReturn(program, uri));
  if (Status built = hall_return->Build(); !built) return built.error();
  return hall_return;
}

HallReturn::~HallReturn() {
  if (restart_timer_) g_source_remove(restart_timer_);
  Stop();
}

Status HallReturn::Build() {
  GError* raw_error = nullptr;
  GstElement* pipeline = gst_parse_launch(Description(uri_).c_str(), &raw_error);
  media::GErrorPtr error(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    return Error{"media_failed", std::string("cannot build the hall's return: ") +
                                     (error ? error->message : "unknown")};
  }
  gst_object_ref_sink(pipeline);
  pipeline_.reset(pipeline);
  media::GstElementPtr out(gst_bin_get_by_name(GST_BIN(pipeline), "out"));
  g_object_set(out.get(), "uri", uri_.c_str(), nullptr);
  // A desk that connects decodes from the next keyframe: ask for one now.
  struct Context {
    std::weak_ptr<char> watch;
    media::Program* program;
  };
  g_signal_connect_data(
      out.get(), "caller-added",
      G_CALLBACK(+[](GstElement*, gint, gpointer, gpointer data) {
        const auto* context = static_cast<Context*>(data);
        media::Program* program = context->program;
        media::PostIfAlive(context->watch, [program] { program->RequestKeyframe(); });
      }),
      new Context{lifetime_.Watch(), &program_},
      [](gpointer data, GClosure*) { delete static_cast<Context*>(data); }, GConnectFlags(0));
  return Ok{};
}

void HallReturn::Start() {
  if (!pipeline_ && !Build()) return;
  // The program's clock and base time: its running time stamps our buffers.
  GstElement* program = program_.pipeline();
  media::GstClockPtr clock(gst_element_get_clock(program));
  if (clock) gst_pipeline_use_clock(GST_PIPELINE(pipeline_.get()), clock.get());
  gst_element_set_start_time(pipeline_.get(), GST_CLOCK_TIME_NONE);
  gst_element_set_base_time(pipeline_.get(), gst_element_get_base_time(program));
  media::GstBusPtr bus(gst_element_get_bus(pipeline_.get()));
  bus_watch_ = gst_bus_add_watch(bus.get(), &HallReturn::OnBus, this);
  GstBin* bin = GST_BIN(pipeline_.get());
  media::GstElementPtr video(gst_bin_get_by_name(bin, "video"));
  media::GstElementPtr audio(gst_bin_get_by_name(bin, "audio"));
  GstElement* video_src = video.get();
  GstElement* audio_src = audio.get();
  program_.SetEncodedTap([video_src](GstBuffer* buffer, std::chrono::nanoseconds) {
    gst_app_src_push_buffer(GST_APP_SRC(video_src), gst_buffer_ref(buffer));
  });
  program_.SetAudioTap(media::Program::AudioTap::kFloor, [audio_src](GstSample* sample) {
    if (GstBuffer* buffer = gst_sample_get_buffer(sample)) {
      gst_app_src_push_buffer(GST_APP_SRC(audio_src), gst_buffer_ref(buffer));
    }
  });
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    spdlog::warn("floor: the hall's return ({}) did not start", uri_);
  } else {
    spdlog::info("floor: the hall's return on {}", uri_);
  }
}

void HallReturn::Stop() {
  // The taps go first, under the program's locks: nothing is pushed after.
  program_.SetEncodedTap(nullptr);
  program_.SetAudioTap(media::Program::AudioTap::kFloor, nullptr);
  if (bus_watch_) g_source_remove(bus_watch_);
  bus_watch_ = 0;
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  pipeline_.reset();
}

gboolean HallReturn::OnBus(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<HallReturn*>(data);
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR) return G_SOURCE_CONTINUE;
  std::string debug;
  spdlog::warn("floor: the hall's return failed, again in {} ms: {} ({})", kRestartMs,
               media::BusErrorText(message, &debug), debug);
  self->bus_watch_ = 0;  // removed by returning G_SOURCE_REMOVE
  self->Stop();
  self->restart_timer_ = g_timeout_add(
      kRestartMs,
      [](gpointer data) -> gboolean {
        auto* hall_return = static_cast<HallReturn*>(data);
        hall_return->restart_timer_ = 0;
        hall_return->Start();
        return G_SOURCE_REMOVE;
      },
      self);
  return G_SOURCE_REMOVE;
}

}  // namespace bridgecast::floor
