#include "media/program.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "media/bus_error.hpp"
#include "media/capture_stamp.hpp"
#include "media/wall_time.hpp"

namespace bridgecast::media {
namespace {

constexpr int kVideoPayloadType = 96;
constexpr int kAudioPayloadType = 111;
constexpr int kMtu = 1200;

// Owned by the payloader's probe; read from streaming threads.
struct ProbeContext {
  std::weak_ptr<char> watch;
  Program* program;
};

// The wall-clock time at which `buffer` was captured: its running time on the
// pipeline clock. Frames that waited before the encoder (a busy machine) keep
// their capture time; "now" if unknown.
std::chrono::milliseconds CaptureWallTime(GstPad* pad, GstBuffer* buffer) {
  GstClockTime running = GST_CLOCK_TIME_NONE;
  if (GstEvent* segment_event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)) {
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(segment_event, &segment);
    running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    gst_event_unref(segment_event);
  }
  GstElementPtr element(gst_pad_get_parent_element(pad));
  return WallTimeAt(element.get(), running).time_since_epoch();
}

// Stamps the capture time into each raw frame on its way to the encoder.
GstPadProbeReturn StampCaptureTime(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  GstVideoInfo video;
  if (!caps || !gst_video_info_from_caps(&video, caps.get())) return GST_PAD_PROBE_OK;
  GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &video, buffer, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
  const LumaPlane luma{static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                       GST_VIDEO_FRAME_WIDTH(&frame), GST_VIDEO_FRAME_HEIGHT(&frame),
                       GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)};
  // A picture too small for a stamp simply goes out without one.
  (void)WriteCaptureStamp(luma, CaptureWallTime(pad, buffer));
  gst_video_frame_unmap(&frame);
  return GST_PAD_PROBE_OK;
}

std::string PipelineDescription(const ProgramConfig& c) {
  const int key_int =
      std::max<int>(1, static_cast<int>(c.fps * c.keyframe_interval.count() / 1000));
  const std::string filler = c.cbr_filler ? " option-string=\"nal-hrd=cbr:filler=1\"" : "";
  // The test pattern: moving bars, a wall clock and a tick each second.
  // h264parse puts SPS/PPS into every IDR access unit, once, for late joiners
  // and for archive segments that must decode alone. (rtph264pay's own
  // config-interval inserted them before each of the IDR's two slices, which
  // split the picture in two at every depayloader.) rtph264pay: zero-latency
  // aggregation (otherwise small NAL units go out as separate packets).
  return fmt::format(
      "videotestsrc is-live=true pattern=smpte horizontal-speed=2 "
      "! video/x-raw,width={w},height={h},framerate={fps}/1 "
      "! clockoverlay time-format=\"%H:%M:%S\" halignment=right valignment=bottom "
      "font-desc=\"Sans 28\" shaded-background=true "
      "! videoconvert ! video/x-raw,format=I420 ! queue max-size-buffers=3 max-size-time=0 max-size-bytes=0 "
      "! x264enc name=venc tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
      "vbv-buf-capacity=1000 key-int-max={key}{filler} "
      "! video/x-h264,profile=constrained-baseline "
      "! h264parse config-interval=-1 ! video/x-h264,alignment=au "
      "! rtph264pay name=vpay pt={vpt} mtu={mtu} config-interval=0 aggregate-mode=zero-latency "
      "! tee name=vtee allow-not-linked=true "
      "audiotestsrc is-live=true wave=ticks volume=0.3 "
      "! audio/x-raw,rate=48000,channels=2 ! audioconvert ! audioresample "
      "! opusenc bitrate={abps} frame-size=20 "
      "! rtpopuspay pt={apt} mtu={mtu} ! tee name=atee allow-not-linked=true",
      fmt::arg("w", c.width), fmt::arg("h", c.height), fmt::arg("fps", c.fps),
      fmt::arg("kbps", c.video_bitrate.kbps()), fmt::arg("key", key_int),
      fmt::arg("filler", filler), fmt::arg("vpt", kVideoPayloadType), fmt::arg("mtu", kMtu),
      fmt::arg("abps", c.audio_bitrate.bps()), fmt::arg("apt", kAudioPayloadType));
}

}  // namespace

GstCapsPtr ProgramVideoRtpCaps() {
  return GstCapsPtr(gst_caps_new_simple(
      "application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
      "H264", "payload", G_TYPE_INT, kVideoPayloadType, "clock-rate", G_TYPE_INT, 90000,
      "packetization-mode", G_TYPE_STRING, "1", nullptr));
}

GstCapsPtr ProgramAudioRtpCaps() {
  return GstCapsPtr(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                        "encoding-name", G_TYPE_STRING, "OPUS", "payload",
                                        G_TYPE_INT, kAudioPayloadType, "clock-rate", G_TYPE_INT,
                                        48000, nullptr));
}

Program::Program(const ProgramConfig& config, Listener& listener, const Clock& clock)
    : config_(config), listener_(listener), clock_(clock), throttle_(config.keyframe_min_gap) {}

Result<std::unique_ptr<Program>> Program::Create(const ProgramConfig& config, Listener& listener,
                                                 const Clock& clock) {
  if (config.width < 16 || config.height < 16 || config.width > 3840 || config.height > 2160 ||
      config.width % 2 || config.height % 2) {
    return Error{"bad_config", "program size must be even and between 16x16 and 3840x2160"};
  }
  if (config.fps < 1 || config.fps > 60) {
    return Error{"bad_config", "program frame rate must be 1..60"};
  }
  if (config.video_bitrate < Bitrate::KilobitsPerSecond(100) ||
      config.video_bitrate > Bitrate::KilobitsPerSecond(20000)) {
    return Error{"bad_config", "program video bitrate must be 100..20000 kbps"};
  }
  std::unique_ptr<Program> program(new Program(config, listener, clock));
  GError* raw_error = nullptr;
  GstElement* pipeline = gst_parse_launch(PipelineDescription(config).c_str(), &raw_error);
  GErrorPtr error(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    return Error{"media_failed", std::string("cannot build program pipeline: ") +
                                     (error ? error->message : "unknown error")};
  }
  gst_object_ref_sink(pipeline);
  program->pipeline_.reset(pipeline);
  GstBin* bin = GST_BIN(pipeline);
  // gst_bin_get_by_name returns a new reference; the bin keeps its own.
  GstElementPtr encoder(gst_bin_get_by_name(bin, "venc"));
  GstElementPtr payloader(gst_bin_get_by_name(bin, "vpay"));
  GstElementPtr video_tee(gst_bin_get_by_name(bin, "vtee"));
  GstElementPtr audio_tee(gst_bin_get_by_name(bin, "atee"));
  program->encoder_ = encoder.get();
  program->video_tee_ = video_tee.get();
  program->audio_tee_ = audio_tee.get();

  // Keyframe requests from the points (PLI/FIR turned into force-key-unit
  // events by webrtcbin) stop at the payloader and go through the throttle.
  GstPadPtr pay_src(gst_element_get_static_pad(payloader.get(), "src"));
  gst_pad_add_probe(pay_src.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &Program::OnUpstreamEvent,
                    new ProbeContext{program->lifetime_.Watch(), program.get()},
                    [](gpointer p) { delete static_cast<ProbeContext*>(p); });

  GstPadPtr pay_sink(gst_element_get_static_pad(payloader.get(), "sink"));
  gst_pad_add_probe(pay_sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &Program::OnEncodedFrame,
                    program.get(), nullptr);

  if (config.capture_stamp) {
    GstPadPtr encoder_sink(gst_element_get_static_pad(encoder.get(), "sink"));
    gst_pad_add_probe(encoder_sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &StampCaptureTime, nullptr,
                      nullptr);
  }

  GstBusPtr bus(gst_element_get_bus(pipeline));
  program->bus_watch_ = gst_bus_add_watch(bus.get(), &Program::OnBusMessage, program.get());
  return program;
}

Program::~Program() {
  if (keyframe_timer_) g_source_remove(keyframe_timer_);
  if (bus_watch_) g_source_remove(bus_watch_);
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

Status Program::Start() {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return Error{"media_failed", "program pipeline refused to start"};
  }
  spdlog::info("program: {}x{} @ {} fps, video {} kbps, audio {} kbps", config_.width,
               config_.height, config_.fps, config_.video_bitrate.kbps(),
               config_.audio_bitrate.kbps());
  return Ok{};
}

gboolean Program::OnBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<Program*>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR: {
      std::string debug;
      const std::string text = BusErrorText(message, &debug);
      spdlog::error("media: {} ({})", text, debug);
      self->listener_.OnProgramError(text);
      break;
    }
    case GST_MESSAGE_WARNING: {
      GError* raw = nullptr;
      gst_message_parse_warning(message, &raw, nullptr);
      GErrorPtr error(raw);
      spdlog::warn("media: {}: {}", GST_OBJECT_NAME(message->src),
                   error ? error->message : "unknown");
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

GstPadProbeReturn Program::OnUpstreamEvent(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (!gst_video_event_is_force_key_unit(event)) return GST_PAD_PROBE_OK;
  const auto* context = static_cast<const ProbeContext*>(data);
  // Streaming thread: the throttle lives on the main loop.
  Program* program = context->program;
  PostIfAlive(context->watch, [program] { program->RequestKeyframe(); });
  return GST_PAD_PROBE_DROP;
}

GstPadProbeReturn Program::OnEncodedFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
  if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT)) {
    auto* self = static_cast<Program*>(data);
    self->last_keyframe_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  self->clock_.Now().time_since_epoch())
                                  .count();
  }
  return GST_PAD_PROBE_OK;
}

std::optional<std::chrono::milliseconds> Program::KeyframeAge() const {
  const std::int64_t at = last_keyframe_ns_;
  if (at < 0) return std::nullopt;
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
      clock_.Now().time_since_epoch());
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - std::chrono::nanoseconds(at));
}

void Program::RequestKeyframe() {
  const KeyframeThrottle::Decision d = throttle_.Request(clock_.Now());
  switch (d.action) {
    case KeyframeThrottle::Action::kSendNow:
      SendKeyframeToEncoder();
      break;
    case KeyframeThrottle::Action::kScheduleAt: {
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(d.at - clock_.Now());
      keyframe_timer_ = g_timeout_add(
          static_cast<guint>(std::max<int64_t>(0, wait.count())),
          [](gpointer data) -> gboolean {
            auto* self = static_cast<Program*>(data);
            self->keyframe_timer_ = 0;
            self->throttle_.Fire(self->clock_.Now());
            self->SendKeyframeToEncoder();
            return G_SOURCE_REMOVE;
          },
          this);
      break;
    }
    case KeyframeThrottle::Action::kAlreadyScheduled:
      break;
  }
}

void Program::SendKeyframeToEncoder() {
  // An upstream event sent to the encoder's source pad reaches the encoder
  // without passing the payloader's probe.
  GstPadPtr encoder_src(gst_element_get_static_pad(encoder_, "src"));
  gst_pad_send_event(encoder_src.get(),
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

}  // namespace bridgecast::media
