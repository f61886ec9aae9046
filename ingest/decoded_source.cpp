#include "ingest/decoded_source.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "ingest/decode_branches.hpp"
#include "media/bus_error.hpp"
#include "media/capture_stamp.hpp"
#include "media/wall_time.hpp"

namespace bridgecast::ingest {
namespace {

using media::GstCapsPtr;
using media::GstElementPtr;
using media::GstPadPtr;

constexpr std::array kMaxBackoffSeconds = {1, 2, 4, 8, 10};

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string CodecName(const GstCaps* caps) {
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const std::string_view name = gst_structure_get_name(s);
  if (name == "video/x-h264") return "H.264";
  if (name == "video/x-h265") return "H.265";
  if (name == "image/jpeg") return "MJPEG";
  if (name == "video/x-raw") return "raw";
  if (name == "audio/x-opus") return "Opus";
  if (name == "audio/x-raw") return "PCM";
  if (name == "audio/mpeg") {
    int version = 0;
    gst_structure_get_int(s, "mpegversion", &version);
    return version == 1 ? "MPEG audio" : "AAC";
  }
  media::GCharPtr text(gst_caps_to_string(caps));
  std::string out = text ? text.get() : "unknown";
  return out.substr(0, out.find(','));
}

// Container and transport layers on the way to the codecs.
constexpr std::array<std::string_view, 14> kContainers = {
    "video/mpegts",       "video/quicktime",  "video/x-matroska", "video/webm",
    "video/x-msvideo",    "video/x-flv",      "application/x-rtp", "application/ogg",
    "audio/x-m4a",        "audio/x-wav",      "application/x-id3", "application/x-apetag",
    "application/x-rtcp", "video/x-raw"};
constexpr std::array<std::string_view, 7> kCodecs = {
    "video/x-h264", "video/x-h265", "image/jpeg", "audio/x-raw",
    "audio/x-opus", "audio/mpeg",   "video/x-raw"};

GstFlowReturn OnEncodedSample(GstAppSink* sink, gpointer data) {
  media::GstSamplePtr sample(gst_app_sink_pull_sample(sink));
  if (sample) static_cast<SourceFeed*>(data)->PushEncoded(sample.get());
  return GST_FLOW_OK;
}

// The test pattern's glass-to-glass stamp: its capture time in the picture.
GstPadProbeReturn StampCaptureTime(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  GstVideoInfo video;
  if (!caps || !gst_video_info_from_caps(&video, caps.get())) return GST_PAD_PROBE_OK;
  GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  const GstClockTime running = media::RunningTimeOn(pad, buffer);
  GstElementPtr element(gst_pad_get_parent_element(pad));
  const auto captured = media::WallTimeAt(element.get(), running).time_since_epoch();
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &video, buffer, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
  const media::LumaPlane luma{static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                              GST_VIDEO_FRAME_WIDTH(&frame), GST_VIDEO_FRAME_HEIGHT(&frame),
                              GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)};
  // A picture too small for a stamp simply goes out without one.
  (void)media::WriteCaptureStamp(luma, captured);
  gst_video_frame_unmap(&frame);
  return GST_PAD_PROBE_OK;
}

}  // namespace

bool DecodedSource::Accepts(const GstCaps* caps) {
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return true;
  const std::string_view name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  const bool media = name.starts_with("video/") || name.starts_with("audio/") ||
                     name.starts_with("image/");
  if (!media) return true;  // subtitles, data streams: ignored later, not refused
  return std::find(kContainers.begin(), kContainers.end(), name) != kContainers.end() ||
         std::find(kCodecs.begin(), kCodecs.end(), name) != kCodecs.end();
}

DecodedSource::DecodedSource(SourceConfig config, const media::ProgramConfig& program,
                             SourceFeed& feed, SourceListener& listener)
    : config_(std::move(config)), program_(program), feed_(feed), listener_(listener) {}

DecodedSource::~DecodedSource() {
  if (restart_timer_) g_source_remove(restart_timer_);
  Stop();
}

std::string DecodedSource::InputFormat() const { return input_.Text(); }

Status DecodedSource::Build() {
  const bool live_sync = config_.kind == SourceKind::kFile;  // a file plays in real time
  const std::string video_branch = VideoBranch(program_, live_sync);
  const std::string audio_branch = AudioBranch(live_sync);
  std::string description;
  switch (config_.kind) {
    case SourceKind::kTestPattern:
      description = fmt::format(
          "videotestsrc is-live=true pattern={pattern} horizontal-speed=2 "
          "! video/x-raw,width={w},height={h},framerate={fps}/1 "
          "! clockoverlay time-format=\"%H:%M:%S\" halignment=right valignment=bottom "
          "font-desc=\"Sans 28\" shaded-background=true "
          "! videoconvert ! video/x-raw,format=I420 "
          "! appsink name=video sync=false async=false max-buffers=2 drop=true "
          "audiotestsrc is-live=true {wave} samplesperbuffer=960 "
          "! audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
          "! appsink name=audio sync=false async=false max-buffers=50 drop=true",
          fmt::arg("pattern", config_.pattern), fmt::arg("w", program_.width),
          fmt::arg("h", program_.height), fmt::arg("fps", program_.fps),
          fmt::arg("wave", config_.tone_hz > 0
                               ? fmt::format("wave=sine freq={} volume=0.3", config_.tone_hz)
                               : std::string("wave=ticks volume=0.3")));
      break;
    case SourceKind::kDevice: {
      description = "v4l2src device=" + Quoted(config_.video_device) + " ! decodebin ! " +
                    video_branch;
      const std::string& a = config_.audio_device;
      if (a.starts_with("alsa:")) {
        description += " alsasrc device=" + Quoted(a.substr(5)) + " ! " + audio_branch;
      } else if (a == "pulse") {
        description += " pulsesrc ! " + audio_branch;
      } else if (a.starts_with("pulse:")) {
        description += " pulsesrc device=" + Quoted(a.substr(6)) + " ! " + audio_branch;
      }
      break;
    }
    case SourceKind::kFile:
    case SourceKind::kSrt:
    case SourceKind::kRtsp:
      description = "uridecodebin name=decoder " + video_branch + " " + audio_branch;
      break;
    case SourceKind::kWhip:
      return Error{"bad_config", "a WHIP source is not decoded here"};
  }
  GError* raw_error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &raw_error);
  media::GErrorPtr error(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    return Error{"media_failed",
                 std::string("cannot build the source: ") + (error ? error->message : "unknown")};
  }
  gst_object_ref_sink(pipeline);
  pipeline_.reset(pipeline);
  ConnectFeed(pipeline, feed_);
  GstBin* bin = GST_BIN(pipeline);
  if (config_.kind == SourceKind::kTestPattern && program_.capture_stamp) {
    GstElementPtr video(gst_bin_get_by_name(bin, "video"));
    GstPadPtr sink(gst_element_get_static_pad(video.get(), "sink"));
    gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_BUFFER, &StampCaptureTime, nullptr, nullptr);
  }
  if (config_.kind == SourceKind::kTestPattern) input_.SetCodecs("test pattern", "test tone");
  if (GstElementPtr decoder{gst_bin_get_by_name(bin, "decoder")}) {
    std::string uri = config_.uri;
    if (config_.kind == SourceKind::kFile) {
      media::GCharPtr file_uri(gst_filename_to_uri(config_.uri.c_str(), nullptr));
      if (!file_uri) return Error{"bad_config", "bad file path " + config_.uri};
      uri = file_uri.get();
    }
    g_object_set(decoder.get(), "uri", uri.c_str(), nullptr);
    g_signal_connect(decoder.get(), "pad-added", G_CALLBACK(&DecodedSource::OnPadAdded), this);
    g_signal_connect(decoder.get(), "no-more-pads", G_CALLBACK(&DecodedSource::OnNoMorePads),
                     this);
    g_signal_connect(decoder.get(), "autoplug-continue",
                     G_CALLBACK(&DecodedSource::OnAutoplugContinue), this);
    g_signal_connect(decoder.get(), "source-setup", G_CALLBACK(&DecodedSource::OnSourceSetup),
                     this);
  }
  media::GstBusPtr bus(gst_element_get_bus(pipeline));
  bus_watch_ = gst_bus_add_watch(bus.get(), &DecodedSource::OnBus, this);
  return Ok{};
}

void DecodedSource::Start() {
  restart_timer_ = 0;
  Stop();
  {
    std::lock_guard lock(mutex_);
    refused_.clear();
    video_linked_ = false;
  }
  // A sender that comes back may send something else.
  if (config_.kind != SourceKind::kTestPattern) input_.Clear();
  feed_.Restart();
  frames_at_start_ = feed_.frames();
  if (Status built = Build(); !built) {
    Fail(built.error().message);
    return;
  }
  listener_.OnSourceConnecting(config_.id);
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    Fail("the source refused to start");
  }
}

void DecodedSource::Stop() {
  if (bus_watch_) g_source_remove(bus_watch_);
  bus_watch_ = 0;
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  pipeline_.reset();
}

void DecodedSource::Fail(const std::string& reason) {
  spdlog::warn("ingest: source {} failed: {}", config_.id, reason);
  Stop();
  listener_.OnSourceFailed(config_.id, reason);
  ScheduleRestart();
}

void DecodedSource::ScheduleRestart() {
  if (restart_timer_) return;
  // Pictures flowed since the last start: this is a new failure, not a
  // repeated one.
  if (feed_.frames() > frames_at_start_) failures_ = 0;
  const int wait = kMaxBackoffSeconds[std::min<size_t>(failures_, kMaxBackoffSeconds.size() - 1)];
  ++failures_;
  restart_timer_ = g_timeout_add_seconds(
      static_cast<guint>(wait),
      [](gpointer data) -> gboolean {
        static_cast<DecodedSource*>(data)->Start();
        return G_SOURCE_REMOVE;
      },
      this);
}

gboolean DecodedSource::OnBus(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<DecodedSource*>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR: {
      std::string debug;
      std::string text = media::BusErrorText(message, &debug);
      spdlog::debug("ingest: {}: {} ({})", self->config_.id, text, debug);
      {
        std::lock_guard lock(self->mutex_);
        if (!self->refused_.empty()) text = self->refused_;
      }
      self->bus_watch_ = 0;  // removed by returning G_SOURCE_REMOVE
      self->Fail(text);
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_EOS:
      // A file's end is its pictures' end ("video-eos"): its sound may end a
      // little later, and one loop must not seek twice.
      return self->config_.kind == SourceKind::kFile ? G_SOURCE_CONTINUE : self->OnEnd();
    case GST_MESSAGE_APPLICATION:
      if (gst_message_has_name(message, "video-eos")) return self->OnEnd();
      // Posted by OnNoMorePads: nothing we can show came.
      if (gst_message_has_name(message, "no-video")) {
        std::string reason;
        {
          std::lock_guard lock(self->mutex_);
          reason = self->refused_.empty() ? "the stream has no video" : self->refused_;
        }
        self->bus_watch_ = 0;
        self->Fail(reason);
        return G_SOURCE_REMOVE;
      }
      return G_SOURCE_CONTINUE;
    default:
      return G_SOURCE_CONTINUE;
  }
}

gboolean DecodedSource::OnEnd() {
  if (config_.kind == SourceKind::kFile && config_.loop) {
    gst_element_seek_simple(pipeline_.get(), GST_FORMAT_TIME,
                            static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT),
                            0);
    return G_SOURCE_CONTINUE;
  }
  bus_watch_ = 0;  // the caller returns G_SOURCE_REMOVE
  if (config_.kind == SourceKind::kFile) {
    Stop();
    listener_.OnSourceIdle(config_.id, "the file has ended");
  } else {
    Fail("the stream ended");
  }
  return G_SOURCE_REMOVE;
}

gboolean DecodedSource::OnAutoplugContinue(GstElement*, GstPad*, GstCaps* caps, gpointer data) {
  auto* self = static_cast<DecodedSource*>(data);
  const std::string_view name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  const bool codec = std::find(kCodecs.begin(), kCodecs.end(), name) != kCodecs.end();
  if (codec && name != "video/x-raw" && name != "audio/x-raw") {
    const std::string codec_name = CodecName(caps);
    name.starts_with("audio/") ? self->input_.SetCodecs("", codec_name)
                               : self->input_.SetCodecs(codec_name, "");
  }
  // H.264 is exposed undecoded too: OnPadAdded parses it once, then decodes
  // it and keeps it for a pass-through.
  if (name == "video/x-h264") return FALSE;
  if (Accepts(caps)) return TRUE;
  // Exposed undecoded: OnPadAdded names it.
  return FALSE;
}

void DecodedSource::OnSourceSetup(GstElement*, GstElement* source, gpointer data) {
  auto* self = static_cast<DecodedSource*>(data);
  GObjectClass* klass = G_OBJECT_GET_CLASS(source);
  if (self->config_.kind == SourceKind::kSrt && !self->config_.passphrase.empty() &&
      g_object_class_find_property(klass, "passphrase")) {
    g_object_set(source, "passphrase", self->config_.passphrase.c_str(), nullptr);
  }
  if (self->config_.kind == SourceKind::kRtsp && g_object_class_find_property(klass, "latency")) {
    // rtspsrc: 200 ms of jitter buffer (not 2 s); UDP with TCP as the
    // fallback, or TCP only.
    g_object_set(source, "latency", 200u, nullptr);
    if (self->config_.rtsp_tcp_only) {
      gst_util_set_object_arg(G_OBJECT(source), "protocols", "tcp");
    }
  }
}

void DecodedSource::OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<DecodedSource*>(data);
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
  const std::string_view name = gst_structure_get_name(s);
  const bool h264 = name == "video/x-h264";
  const bool video = name == "video/x-raw" || h264;
  const bool audio = name == "audio/x-raw";
  if (!video && !audio) {
    const bool picture = name.starts_with("video/") || name.starts_with("image/");
    if (picture || name.starts_with("audio/")) {
      const std::string reason = fmt::format("unsupported {} codec: {}",
                                             picture ? "video" : "audio", CodecName(caps.get()));
      spdlog::warn("ingest: {}: {}", self->config_.id, reason);
      std::lock_guard lock(self->mutex_);
      if (picture || self->refused_.empty()) self->refused_ = reason;
    }
    return;
  }
  if (video && !h264) self->input_.SetSize(s);
  GstElementPtr sink(gst_bin_get_by_name(GST_BIN(self->pipeline_.get()), video ? "video" : "audio"));
  // Walk up from the appsink to the first element of its branch: the queue.
  GstElementPtr first(GST_ELEMENT(gst_object_ref(sink.get())));
  while (true) {
    GstPadPtr sink_pad(gst_element_get_static_pad(first.get(), "sink"));
    GstPadPtr peer(sink_pad ? gst_pad_get_peer(sink_pad.get()) : nullptr);
    if (!peer) break;
    first.reset(gst_pad_get_parent_element(peer.get()));
  }
  GstPadPtr branch_sink(gst_element_get_static_pad(first.get(), "sink"));
  if (gst_pad_is_linked(branch_sink.get())) return;  // a second stream of the kind
  bool linked = false;
  if (h264) {
    linked = self->LinkH264(pad, first.get());
  } else {
    linked = gst_pad_link(pad, branch_sink.get()) == GST_PAD_LINK_OK;
  }
  if (linked && video) {
    std::lock_guard lock(self->mutex_);
    self->video_linked_ = true;
  }
}

bool DecodedSource::LinkH264(GstPad* pad, GstElement* video_branch) {
  // h264parse ─ tee ─ queue ─ avdec_h264 ─ the video branch
  //                 └ queue ─ appsink: the access units, for a pass-through
  std::vector<GstElement*> chain;
  for (const char* factory :
       {"h264parse", "capsfilter", "tee", "queue", "avdec_h264", "queue", "appsink"}) {
    GstElement* e = gst_element_factory_make(factory, nullptr);
    if (!e) {
      for (GstElement* made : chain) gst_object_unref(gst_object_ref_sink(made));
      return false;
    }
    chain.push_back(e);
  }
  GstElement* parse = chain[0];
  GstElement* filter = chain[1];
  GstElement* tee = chain[2];
  GstElement* decode_queue = chain[3];
  GstElement* decoder = chain[4];
  GstElement* encoded_queue = chain[5];
  GstElement* encoded = chain[6];
  g_object_set(parse, "config-interval", -1, nullptr);
  GstCapsPtr au(gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
  g_object_set(filter, "caps", au.get(), nullptr);
  const bool live = config_.kind != SourceKind::kFile;
  g_object_set(decode_queue, "max-size-buffers", 3u, "max-size-bytes", 0u, "max-size-time",
               static_cast<guint64>(0), nullptr);
  if (live) gst_util_set_object_arg(G_OBJECT(decode_queue), "leaky", "downstream");
  // Never leaky: an access unit lost here would break its whole GOP at the
  // points. What reads it (into the splicer) only takes a lock.
  g_object_set(encoded_queue, "max-size-buffers", 30u, "max-size-bytes", 0u, "max-size-time",
               static_cast<guint64>(0), nullptr);
  g_object_set(encoded, "sync", live ? FALSE : TRUE, "async", FALSE, "max-buffers", 4u, "drop",
               live ? TRUE : FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = &OnEncodedSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(encoded), &callbacks, &feed_, nullptr);
  GstBin* bin = GST_BIN(pipeline_.get());
  for (GstElement* e : chain) gst_bin_add(bin, e);
  const bool linked = gst_element_link_many(parse, filter, tee, nullptr) &&
                      gst_element_link_many(tee, decode_queue, decoder, video_branch, nullptr) &&
                      gst_element_link_many(tee, encoded_queue, encoded, nullptr);
  if (!linked) return false;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) gst_element_sync_state_with_parent(*it);
  // The parser's caps say what the sender sends: size, rate, profile.
  GstPadPtr parsed(gst_element_get_static_pad(filter, "src"));
  gst_pad_add_probe(
      parsed.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
          GstCaps* caps = nullptr;
          gst_event_parse_caps(event, &caps);
          static_cast<DecodedSource*>(data)->input_.SetSize(gst_caps_get_structure(caps, 0));
        }
        return GST_PAD_PROBE_OK;
      },
      this, nullptr);
  GstPadPtr sink(gst_element_get_static_pad(parse, "sink"));
  return gst_pad_link(pad, sink.get()) == GST_PAD_LINK_OK;
}

void DecodedSource::OnNoMorePads(GstElement* decoder, gpointer data) {
  auto* self = static_cast<DecodedSource*>(data);
  bool linked = false;
  {
    std::lock_guard lock(self->mutex_);
    linked = self->video_linked_;
  }
  if (!linked) {
    gst_element_post_message(
        decoder, gst_message_new_application(GST_OBJECT(decoder),
                                             gst_structure_new_empty("no-video")));
  }
}

}  // namespace bridgecast::ingest
