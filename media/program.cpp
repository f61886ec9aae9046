#include "media/program.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "media/bus_error.hpp"
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

// The slate: a still, frozen and repeated at the program's rate.
std::string SlateDescription(const ProgramConfig& c) {
  const std::string still =
      c.slate_image.empty()
          ? "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff14304f "
            "! video/x-raw,format=I420,width={w},height={h},framerate=1/1 "
            "! textoverlay name=slate_text valignment=center halignment=center "
            "line-alignment=center wrap-mode=wordchar shaded-background=false "
            "! videoconvert "
          : "filesrc name=slate_file ! decodebin ! videoconvert ! videoscale add-borders=true ";
  return fmt::format(fmt::runtime(still +
                                  "! video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1 "
                         "! imagefreeze is-live=true ! video/x-raw,framerate={fps}/1 "
                                  // Room to wait: a live source alone allows only a
                                  // frame of latency, less than the inputs need.
                                  "! queue max-size-buffers=0 max-size-bytes=0 "
                                  "max-size-time=500000000 ! vmix.sink_0 "),
                     fmt::arg("w", c.width), fmt::arg("h", c.height), fmt::arg("fps", c.fps));
}

std::string PipelineDescription(const ProgramConfig& c) {
  const int key_int =
      std::max<int>(1, static_cast<int>(c.fps * c.keyframe_interval.count() / 1000));
  const std::string filler = c.cbr_filler ? " option-string=\"nal-hrd=cbr:filler=1\"" : "";
  const auto latency_ns = std::chrono::nanoseconds(Program::kInputLatency).count();
  // The mixers are live aggregators: they produce a picture and 20 ms of
  // sound on every tick of the clock, from whatever inputs have data by then.
  // h264parse puts SPS/PPS into every IDR access unit, once, for late joiners
  // and for archive segments that must decode alone. (rtph264pay's own
  // config-interval inserted them before each of the IDR's two slices, which
  // split the picture in two at every depayloader.) rtph264pay: zero-latency
  // aggregation (otherwise small NAL units go out as separate packets).
  return SlateDescription(c) +
         fmt::format(
             "compositor name=vmix background=black min-upstream-latency={lat} "
             "! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1 "
             "! textoverlay name=caption silent=true valignment=bottom halignment=left "
             "shaded-background=true wrap-mode=none "
             "! queue max-size-buffers=3 max-size-time=0 max-size-bytes=0 "
             "! x264enc name=venc tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
             "vbv-buf-capacity=1000 key-int-max={key}{filler} "
             "! video/x-h264,profile=constrained-baseline "
             "! h264parse config-interval=-1 "
             "! video/x-h264,stream-format=byte-stream,alignment=au "
             "! appsink name=vencoded sync=false async=false max-buffers=8 drop=true "
             "appsrc name=vout is-live=true format=time do-timestamp=false "
             "caps=video/x-h264,stream-format=byte-stream,alignment=au "
             "max-buffers=60 max-bytes=0 leaky-type=downstream "
             "! rtph264pay name=vpay pt={vpt} mtu={mtu} config-interval=0 "
             "aggregate-mode=zero-latency "
             "! tee name=vtee allow-not-linked=true "
             // The hall's sources over silence; its mix goes on air with the
             // floor's sound, and alone to the speaker (mix-minus).
             "audiotestsrc is-live=true wave=silence samplesperbuffer=960 "
             "! audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
             "! queue max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 ! hmix.sink_0 "
             "audiomixer name=hmix min-upstream-latency={lat} output-buffer-duration=20000000 "
             "! audio/x-raw,format=F32LE,rate=48000,channels=2 ! tee name=hall_atee "
             "hall_atee. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 "
             "! amix.sink_0 "
             "hall_atee. ! queue max-size-buffers=10 max-size-bytes=0 max-size-time=0 "
             "leaky=downstream ! appsink name=hall_tap sync=false async=false max-buffers=10 "
             "drop=true "
             "audiomixer name=amix output-buffer-duration=20000000 "
             "! audio/x-raw,format=F32LE,rate=48000,channels=2 ! audioconvert "
             "! opusenc bitrate={abps} frame-size=20 "
             "! rtpopuspay pt={apt} mtu={mtu} ! tee name=atee allow-not-linked=true",
             fmt::arg("lat", latency_ns), fmt::arg("w", c.width), fmt::arg("h", c.height),
             fmt::arg("fps", c.fps), fmt::arg("kbps", c.video_bitrate.kbps()),
             fmt::arg("key", key_int), fmt::arg("filler", filler),
             fmt::arg("vpt", kVideoPayloadType), fmt::arg("mtu", kMtu),
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
    : config_(config),
      listener_(listener),
      clock_(clock),
      splicer_(std::chrono::nanoseconds(GST_SECOND / std::max(1, config.fps))),
      throttle_(config.keyframe_min_gap) {}

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
  GstElementPtr compositor(gst_bin_get_by_name(bin, "vmix"));
  GstElementPtr audio_mixer(gst_bin_get_by_name(bin, "amix"));
  GstElementPtr hall_mixer(gst_bin_get_by_name(bin, "hmix"));
  GstElementPtr caption(gst_bin_get_by_name(bin, "caption"));
  program->compositor_ = compositor.get();
  program->audio_mixer_ = audio_mixer.get();
  program->hall_mixer_ = hall_mixer.get();
  program->caption_ = caption.get();
  g_object_set(caption.get(), "font-desc",
               fmt::format("Sans Bold {}", std::max(10, config.height / 30)).c_str(), nullptr);
  {
    GstPadPtr slate(gst_element_get_static_pad(compositor.get(), "sink_0"));
    program->slate_pad_ = slate.get();  // the compositor keeps its reference
  }
  GstElementPtr hall_tap(gst_bin_get_by_name(bin, "hall_tap"));
  program->ConnectTap(hall_tap.get(), AudioTap::kHall);
  if (GstElementPtr text{gst_bin_get_by_name(bin, "slate_text")}) {
    const std::string slate = config.slate_title.empty()
                                  ? config.slate_text
                                  : config.slate_title + "\n\n" + config.slate_text;
    g_object_set(text.get(), "text", slate.c_str(), "font-desc",
                 fmt::format("Sans Bold {}", std::max(12, config.height / 24)).c_str(), nullptr);
  }
  if (GstElementPtr file{gst_bin_get_by_name(bin, "slate_file")}) {
    g_object_set(file.get(), "location", config.slate_image.c_str(), nullptr);
  }
  program->encoder_ = encoder.get();
  GstElementPtr encoded(gst_bin_get_by_name(bin, "vencoded"));
  GstElementPtr out(gst_bin_get_by_name(bin, "vout"));
  // Every program picture on its way to the encoder: the splicer's clock.
  GstPadPtr encoder_sink(gst_element_get_static_pad(encoder.get(), "sink"));
  gst_pad_add_probe(encoder_sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &Program::OnProgramPicture,
                    program.get(), nullptr);
  program->video_out_ = out.get();
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* sink, gpointer data) -> GstFlowReturn {
    GstSamplePtr sample(gst_app_sink_pull_sample(sink));
    if (sample) static_cast<Program*>(data)->OnEncoderOutput(sample.get());
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(encoded.get()), &callbacks, program.get(), nullptr);
  program->video_tee_ = video_tee.get();
  program->audio_tee_ = audio_tee.get();

  // Keyframe requests from the points (PLI/FIR turned into force-key-unit
  // events by webrtcbin) stop at the payloader and go through the throttle.
  GstPadPtr pay_src(gst_element_get_static_pad(payloader.get(), "src"));
  gst_pad_add_probe(pay_src.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &Program::OnUpstreamEvent,
                    new ProbeContext{program->lifetime_.Watch(), program.get()},
                    [](gpointer p) { delete static_cast<ProbeContext*>(p); });

  // The payloader's caps carry the first SPS/PPS it saw; a passed-through
  // source brings others (in band, where the decoders read them). Its caps
  // stay the first ones, so no point's session sees a change to negotiate.
  gst_pad_add_probe(pay_src.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, &Program::OnPayloaderCaps,
                    program.get(), nullptr);

  GstPadPtr pay_sink(gst_element_get_static_pad(payloader.get(), "sink"));
  gst_pad_add_probe(pay_sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &Program::OnEncodedFrame,
                    program.get(), nullptr);

  GstBusPtr bus(gst_element_get_bus(pipeline));
  program->bus_watch_ = gst_bus_add_watch(bus.get(), &Program::OnBusMessage, program.get());
  return program;
}

Program::~Program() {
  if (keyframe_timer_) g_source_remove(keyframe_timer_);
  if (bus_watch_) g_source_remove(bus_watch_);
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

Program::Input* Program::AddInput(const std::string& id) {
  return NewInput(id, hall_mixer_);
}

Program::Input* Program::AddFloorInput() {
  if (floor_input_) return nullptr;
  // The floor's sound goes on air and, alone, to the hall's return tap.
  GstElement* tee = gst_element_factory_make("tee", "floor_atee");
  GstElement* air = gst_element_factory_make("queue", nullptr);
  GstElement* tap_queue = gst_element_factory_make("queue", nullptr);
  GstElement* tap = gst_element_factory_make("appsink", "floor_tap");
  if (!tee || !air || !tap_queue || !tap) return nullptr;
  g_object_set(air, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
               guint64{500000000}, nullptr);
  g_object_set(tap_queue, "max-size-buffers", 10u, "max-size-bytes", 0u, "max-size-time",
               guint64{0}, "leaky", 2, nullptr);
  g_object_set(tap, "sync", FALSE, "async", FALSE, "max-buffers", 10u, "drop", TRUE, nullptr);
  gst_bin_add_many(GST_BIN(pipeline_.get()), tee, air, tap_queue, tap, nullptr);
  GstPadPtr air_src(gst_element_get_static_pad(air, "src"));
  GstPadPtr mixer_sink(gst_element_request_pad_simple(audio_mixer_, "sink_%u"));
  if (!gst_element_link(tee, air) || !gst_element_link_many(tee, tap_queue, tap, nullptr) ||
      gst_pad_link(air_src.get(), mixer_sink.get()) != GST_PAD_LINK_OK) {
    return nullptr;
  }
  ConnectTap(tap, AudioTap::kFloor);
  floor_audio_tee_ = tee;
  floor_input_ = NewInput("floor", tee);
  return floor_input_;
}

Program::Input* Program::NewInput(const std::string& id, GstElement* audio_target) {
  for (const auto& input : inputs_) {
    if (input->id == id) return nullptr;
  }
  auto input = std::make_unique<Input>();
  input->id = id;
  const auto latency = std::chrono::nanoseconds(kInputLatency).count();
  GstBin* bin = GST_BIN(pipeline_.get());
  struct Branch {
    GstElement** src;
    GstElement* target;
    guint max_buffers;
  };
  // Bounded and leaky: a source that floods drops its own oldest buffers
  // instead of holding up the mixer.
  for (Branch b : {Branch{&input->video, compositor_, 8}, Branch{&input->audio, audio_target, 50}}) {
    GstElement* src = gst_element_factory_make("appsrc", nullptr);
    g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "min-latency", latency,
                 "max-latency", latency, "max-buffers", static_cast<guint64>(b.max_buffers), "max-bytes",
                 static_cast<guint64>(0),
                 "leaky-type", 2 /* downstream: drop the oldest */, "block", FALSE, nullptr);
    gst_bin_add(bin, src);
    GstPadPtr src_pad(gst_element_get_static_pad(src, "src"));
    const bool mixer = b.target != floor_audio_tee_;
    GstPadPtr sink_pad(mixer ? gst_element_request_pad_simple(b.target, "sink_%u")
                             : gst_element_get_static_pad(b.target, "sink"));
    if (gst_pad_link(src_pad.get(), sink_pad.get()) != GST_PAD_LINK_OK) return nullptr;
    if (b.target == compositor_) {
      g_object_set(sink_pad.get(), "zorder", 1u, "alpha", 0.0, nullptr);
      input->video_pad = sink_pad.get();  // the compositor keeps its reference
    }
    *b.src = src;
  }
  inputs_.push_back(std::move(input));
  return inputs_.back().get();
}

void Program::Show(const std::optional<std::string>& id) {
  shown_ = id;
  ApplyLayout();
}

void Program::ShowFloor(std::optional<FloorView> view) {
  floor_view_ = std::move(view);
  g_object_set(caption_, "text", floor_view_ ? floor_view_->caption.c_str() : "", "silent",
               !floor_view_ || floor_view_->caption.empty(), nullptr);
  ApplyLayout();
  UpdatePassThrough();
}

void Program::ApplyLayout() {
  const Rect full{0, 0, config_.width, config_.height};
  auto place = [](GstPad* pad, const Rect& r, double alpha, guint zorder) {
    g_object_set(pad, "xpos", r.x, "ypos", r.y, "width", r.width, "height", r.height, "alpha",
                 alpha, "zorder", zorder, nullptr);
  };
  const bool floor = floor_view_.has_value();
  const Rect hall = floor ? floor_view_->hall : full;
  const guint hall_z = floor && floor_view_->hall_above ? 3 : 1;
  bool hall_shown = false;
  for (const auto& input : inputs_) {
    if (input.get() == floor_input_) continue;
    const bool shown = shown_ && *shown_ == input->id;
    hall_shown = hall_shown || shown;
    place(input->video_pad, hall, shown ? 1.0 : 0.0, hall_z);
  }
  // With the floor on, the slate stands in for a hall that has no picture;
  // behind a hall that has one, the background is black.
  if (!floor) {
    place(slate_pad_, full, 1.0, 0);
  } else {
    place(slate_pad_, hall_shown ? full : hall, hall_shown ? 0.0 : 1.0, hall_shown ? 0 : hall_z);
  }
  if (floor_input_) {
    const bool visible = floor && floor_view_->speaker_visible;
    place(floor_input_->video_pad, visible ? floor_view_->speaker : full, visible ? 1.0 : 0.0, 2);
  }
}

void Program::SetAudioTap(AudioTap tap, SampleTap handler) {
  std::lock_guard lock(tap_mutex_);
  (tap == AudioTap::kHall ? hall_tap_ : floor_tap_) = std::move(handler);
}

void Program::SetEncodedTap(EncodedTap handler) {
  std::lock_guard lock(splicer_mutex_);
  encoded_tap_ = std::move(handler);
}

void Program::ConnectTap(GstElement* appsink, AudioTap tap) {
  struct Context {
    Program* program;
    AudioTap tap;
  };
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* sink, gpointer data) -> GstFlowReturn {
    GstSamplePtr sample(gst_app_sink_pull_sample(sink));
    const auto* c = static_cast<Context*>(data);
    std::lock_guard lock(c->program->tap_mutex_);
    const SampleTap& handler =
        c->tap == AudioTap::kHall ? c->program->hall_tap_ : c->program->floor_tap_;
    if (sample && handler) handler(sample.get());
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &callbacks, new Context{this, tap},
                             [](gpointer data) { delete static_cast<Context*>(data); });
}

std::chrono::nanoseconds Program::RunningTime() const {
  GstClockPtr clock(gst_element_get_clock(pipeline_.get()));
  if (!clock) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(gst_clock_get_time(clock.get()) -
                                  gst_element_get_base_time(pipeline_.get()));
}

bool Program::Matches(const GstCaps* caps) const {
  if (!caps || gst_caps_is_empty(caps)) return false;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  int width = 0, height = 0, num = 0, den = 0;
  const char* profile = gst_structure_get_string(s, "profile");
  return gst_structure_has_name(s, "video/x-h264") && profile &&
         std::string_view(profile) == "constrained-baseline" &&
         gst_structure_get_int(s, "width", &width) && width == config_.width &&
         gst_structure_get_int(s, "height", &height) && height == config_.height &&
         gst_structure_get_fraction(s, "framerate", &num, &den) && den > 0 &&
         num == config_.fps * den;
}

void Program::PassThrough(const std::optional<std::string>& source) {
  passthrough_wanted_ = source;
  UpdatePassThrough();
}

void Program::UpdatePassThrough() {
  std::lock_guard lock(splicer_mutex_);
  splicer_.Want(floor_view_ ? std::nullopt : passthrough_wanted_);
}

std::optional<std::string> Program::PassingThrough() const {
  std::lock_guard lock(splicer_mutex_);
  return splicer_.active();
}

void Program::PushPassthrough(std::string_view source, GstBuffer* buffer,
                              std::chrono::nanoseconds pts) {
  const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  std::lock_guard lock(splicer_mutex_);
  splicer_.OnSource(source, keyframe, pts, GstBufferPtr(gst_buffer_ref(buffer)));
}

GstPadProbeReturn Program::OnProgramPicture(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<Program*>(data);
  const GstClockTime running = RunningTimeOn(pad, GST_PAD_PROBE_INFO_BUFFER(info));
  if (running == GST_CLOCK_TIME_NONE) return GST_PAD_PROBE_OK;
  std::lock_guard lock(self->splicer_mutex_);
  auto verdict = self->splicer_.OnProgramFrame(std::chrono::nanoseconds(running));
  for (auto& out : verdict.emit) self->PushEncoded(out.buffer.get(), out.pts);
  // Leaving a pass-through: this very picture becomes the encoder's keyframe.
  if (verdict.keyframe) self->SendKeyframeToEncoder();
  // The encoder rests while a source passes through.
  return verdict.encode ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void Program::OnEncoderOutput(GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!buffer || !segment) return;
  // The encoder's segment starts 1000 hours in; the program's time is the
  // running time.
  const guint64 running =
      gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (running == GST_CLOCK_TIME_NONE) return;
  const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  std::lock_guard lock(splicer_mutex_);
  for (auto& out : splicer_.OnEncoded(keyframe, std::chrono::nanoseconds(running),
                                      GstBufferPtr(gst_buffer_ref(buffer)))) {
    PushEncoded(out.buffer.get(), out.pts);
  }
}

void Program::PushEncoded(GstBuffer* buffer, std::chrono::nanoseconds pts) {
  GstBuffer* out = gst_buffer_copy(buffer);  // new metadata, the same bytes
  GST_BUFFER_PTS(out) = static_cast<GstClockTime>(pts.count());
  GST_BUFFER_DTS(out) = GST_BUFFER_PTS(out);
  if (encoded_tap_) encoded_tap_(out, pts);
  gst_app_src_push_buffer(GST_APP_SRC(video_out_), out);
}

GstPadProbeReturn Program::OnPayloaderCaps(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  auto* self = static_cast<Program*>(data);
  if (!self->first_rtp_caps_) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    self->first_rtp_caps_.reset(gst_caps_ref(caps));
    return GST_PAD_PROBE_OK;
  }
  return GST_PAD_PROBE_DROP;
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
