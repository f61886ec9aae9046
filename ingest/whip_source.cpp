#include "ingest/whip_source.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <utility>
#include <vector>

#include "ingest/decode_branches.hpp"
#include "media/bus_error.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"
#include "media/sdp_checks.hpp"
#include "media/webrtc_glue.hpp"

namespace bridgecast::ingest {
namespace {

using media::GCharPtr;
using media::GstCapsPtr;
using media::GstElementPtr;
using media::GstPadPtr;
using media::GstSdpMessagePtr;
using media::GstSessionDescriptionPtr;
using media::Attribute;
using media::Codecs;
using media::Offers;
using media::ParseSdp;
using media::Sends;

// A publisher waits for the answer: candidates found later are not sent.
constexpr guint kGatheringTimeoutMs = 3000;
// A publisher that vanishes without DELETE (killed, cut off) may never fail
// ICE: webrtcbin's agent checks no consent. Pictures stopping for this long
// (or none coming this long after the offer) end its session, so the next
// publisher is not refused as busy.
constexpr auto kSilenceLimit = std::chrono::seconds(5);
constexpr auto kFirstPictureLimit = std::chrono::seconds(10);

std::string NewSessionId() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", random());
  return out;
}

// Handed to webrtcbin with each signal and promise: it may fire on any
// thread and after the session is gone, so it holds only a weak watch.
struct SignalContext {
  std::weak_ptr<char> watch;
  WhipSource* source;

  static void Free(gpointer data, GClosure* = nullptr) { delete static_cast<SignalContext*>(data); }
  void Post(std::function<void(WhipSource&)> task) const {
    WhipSource* s = source;
    media::PostIfAlive(watch, [s, task = std::move(task)] { task(*s); });
  }
};

}  // namespace

// One publisher's pipeline: webrtcbin, depayloaders, decoders and the feed's
// branches. Destroying it stops the pipeline and drops what was posted for it.
struct WhipSource::Session {
  std::string id;
  WhipSource* source = nullptr;
  GstElementPtr pipeline;
  GstElement* webrtc = nullptr;  // owned by the pipeline
  guint bus_watch = 0;
  guint gathering_timer = 0;
  guint silence_timer = 0;
  std::chrono::steady_clock::time_point offered = std::chrono::steady_clock::now();
  bool answer_created = false;
  AnswerDone done;  // until the publisher has its answer
  media::Lifetime lifetime;

  SignalContext* NewContext() { return new SignalContext{lifetime.Watch(), source}; }

  ~Session() {
    if (gathering_timer) g_source_remove(gathering_timer);
    if (silence_timer) g_source_remove(silence_timer);
    if (bus_watch) g_source_remove(bus_watch);
    if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  }
};

WhipSource::WhipSource(SourceConfig config, const media::ProgramConfig& program,
                       media::IceConfig ice, SourceFeed& feed, SourceListener& listener)
    : config_(std::move(config)),
      program_(program),
      ice_(std::move(ice)),
      feed_(feed),
      listener_(listener) {}

WhipSource::~WhipSource() = default;

void WhipSource::Start() { listener_.OnSourceIdle(config_.id, "waiting for a publisher"); }

std::string WhipSource::InputFormat() const { return input_.Text(); }

Status WhipSource::CheckOffer(std::string_view sdp) {
  auto parsed = ParseSdp(sdp);
  if (!parsed) return parsed.error();
  const GstSDPMessage* message = parsed->get();
  const GstSDPMedia* video = nullptr;
  const GstSDPMedia* audio = nullptr;
  for (guint i = 0; i < gst_sdp_message_medias_len(message); ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(message, i);
    // Port 0 without bundle-only: a section the offerer disabled.
    if (gst_sdp_media_get_port(media) == 0 &&
        !gst_sdp_media_get_attribute_val(media, "bundle-only")) {
      continue;
    }
    const char* kind_text = gst_sdp_media_get_media(media);
    const std::string_view kind = kind_text ? kind_text : "";
    if (kind == "video" && !video) video = media;
    if (kind == "audio" && !audio) audio = media;
  }
  if (!video) return Error{"unsupported_codec", "the offer has no video section (H.264 needed)"};
  if (!audio) return Error{"unsupported_codec", "the offer has no audio section (Opus needed)"};
  if (!Offers(video, "H264", true)) {
    return Error{"unsupported_codec",
                 "the video offers no H.264 with packetization-mode=1 (offered: " +
                     Codecs(video) + ")"};
  }
  if (!Offers(audio, "OPUS", false)) {
    return Error{"unsupported_codec",
                 "the audio offers no Opus (offered: " + Codecs(audio) + ")"};
  }
  for (const GstSDPMedia* media : {video, audio}) {
    const std::string kind = gst_sdp_media_get_media(media);
    if (!Sends(message, media)) {
      return Error{"bad_sdp", "the " + kind + " section does not send (sendonly or sendrecv)"};
    }
    if (!Attribute(message, media, "ice-ufrag") || !Attribute(message, media, "ice-pwd")) {
      return Error{"bad_sdp", "the " + kind + " section has no ICE credentials"};
    }
    if (!Attribute(message, media, "fingerprint")) {
      return Error{"bad_sdp", "the " + kind + " section has no DTLS fingerprint"};
    }
  }
  return Ok{};
}

void WhipSource::Offer(std::string sdp, AnswerDone done) {
  if (Status checked = CheckOffer(sdp); !checked) return done(checked.error());
  if (session_) {
    if (!config_.takeover) {
      return done(Error{"busy", "source '" + config_.id + "' already has a publisher"});
    }
    spdlog::info("ingest: {}: a new publisher takes over", config_.id);
    EndSession("");
  }
  auto session = std::make_unique<Session>();
  session->id = NewSessionId();
  session->source = this;
  if (Status built = Build(*session, ice_); !built) return done(built.error());
  session->done = std::move(done);
  session_ = std::move(session);
  input_.Clear();
  feed_.Restart();
  spdlog::info("ingest: {}: publisher session {} offered", config_.id, session_->id);
  session_->silence_timer = g_timeout_add_seconds(
      1,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<WhipSource*>(data);
        if (!self->Silent()) return G_SOURCE_CONTINUE;
        self->session_->silence_timer = 0;
        spdlog::info("ingest: {}: no picture from the publisher", self->config_.id);
        self->EndSession("the publisher left");
        return G_SOURCE_REMOVE;
      },
      this);
  listener_.OnSourceConnecting(config_.id);
  if (gst_element_set_state(session_->pipeline.get(), GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    return EndSession("the publisher's pipeline did not start", true);
  }
  auto offer = ParseSdp(sdp);  // checked above
  GstSessionDescriptionPtr description(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, offer->release()));
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        media::GstPromisePtr promise_ref(p);
        const std::string why = media::PromiseError(p).value_or("");
        static_cast<SignalContext*>(data)->Post(
            [why](WhipSource& s) { s.OnRemoteDescriptionSet(why); });
      },
      session_->NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(session_->webrtc, "set-remote-description", description.get(), promise);
}

Status WhipSource::Build(Session& session, const media::IceConfig& ice) {
  // The depayloaders wait for webrtcbin's pads; a keyframe is asked for when
  // pictures are lost, and nothing is decoded before one arrives.
  const std::string description =
      "webrtcbin name=webrtc "
      "rtph264depay name=vdepay request-keyframe=true wait-for-keyframe=true ! h264parse "
      "! avdec_h264 name=vdec ! " + VideoBranch(program_, false) +
      " rtpopusdepay name=adepay ! opusdec plc=true ! " + AudioBranch(false);
  GError* raw_error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &raw_error);
  media::GErrorPtr error(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    return Error{"media_failed", std::string("cannot build the WHIP pipeline: ") +
                                     (error ? error->message : "unknown")};
  }
  gst_object_ref_sink(pipeline);
  session.pipeline.reset(pipeline);
  ConnectFeed(pipeline, feed_);
  GstBin* bin = GST_BIN(pipeline);
  GstElementPtr webrtc(gst_bin_get_by_name(bin, "webrtc"));
  session.webrtc = webrtc.get();
  if (Status configured = media::ApplyIceConfig(session.webrtc, ice); !configured) {
    return configured;
  }
  // Receive-only transceivers that prefer our codecs, added before the offer
  // is set: webrtcbin takes them for the offer's sections, and the answer
  // keeps only H.264 and Opus.
  for (const char* caps_text :
       {"application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,"
        "packetization-mode=(string)1",
        "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000"}) {
    GstCapsPtr caps(gst_caps_from_string(caps_text));
    GstWebRTCRTPTransceiver* transceiver = nullptr;
    g_signal_emit_by_name(session.webrtc, "add-transceiver",
                          GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps.get(), &transceiver);
    if (!transceiver) return Error{"media_failed", "webrtcbin refused a transceiver"};
    gst_object_unref(transceiver);
  }
  g_signal_connect(session.webrtc, "pad-added", G_CALLBACK(&WhipSource::OnPadAdded), &session);
  auto connect = [&session](const char* signal, GCallback callback) {
    g_signal_connect_data(session.webrtc, signal, callback, session.NewContext(),
                          &SignalContext::Free, GConnectFlags(0));
  };
  connect("notify::ice-gathering-state", G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
            static_cast<SignalContext*>(data)->Post(
                [](WhipSource& s) { s.OnGatheringStateChanged(); });
          }));
  connect("notify::connection-state", G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
            static_cast<SignalContext*>(data)->Post(
                [](WhipSource& s) { s.OnConnectionStateChanged(); });
          }));
  GstElementPtr decoder(gst_bin_get_by_name(bin, "vdec"));
  GstPadPtr decoded(gst_element_get_static_pad(decoder.get(), "src"));
  gst_pad_add_probe(decoded.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, &WhipSource::OnDecodedCaps,
                    this, nullptr);
  media::GstBusPtr bus(gst_element_get_bus(pipeline));
  session.bus_watch = gst_bus_add_watch(bus.get(), &WhipSource::OnBus, this);
  return Ok{};
}

void WhipSource::OnRemoteDescriptionSet(const std::string& error) {
  if (!error.empty()) {
    if (AnswerDone done = std::exchange(session_->done, nullptr)) {
      done(Error{"bad_sdp", "webrtcbin refused the offer: " + error});
    }
    return EndSession("the publisher's offer was refused");
  }
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        media::GstPromisePtr promise_ref(p);
        auto holder =
            std::make_shared<GstSessionDescriptionPtr>(media::PromiseDescription(p, "answer"));
        static_cast<SignalContext*>(data)->Post(
            [holder](WhipSource& s) { s.OnAnswerCreated(std::move(*holder)); });
      },
      session_->NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(session_->webrtc, "create-answer", nullptr, promise);
}

void WhipSource::OnAnswerCreated(GstSessionDescriptionPtr answer) {
  if (!answer) return EndSession("webrtcbin created no answer", true);
  g_signal_emit_by_name(session_->webrtc, "set-local-description", answer.get(), nullptr);
  session_->answer_created = true;
  session_->gathering_timer = g_timeout_add(
      kGatheringTimeoutMs,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<WhipSource*>(data);
        self->session_->gathering_timer = 0;
        spdlog::warn("ingest: {}: ICE gathering still running after {} ms, answering anyway",
                     self->config_.id, kGatheringTimeoutMs);
        self->Answer();
        return G_SOURCE_REMOVE;
      },
      this);
  OnGatheringStateChanged();
}

void WhipSource::OnGatheringStateChanged() {
  GstWebRTCICEGatheringState state;
  g_object_get(session_->webrtc, "ice-gathering-state", &state, nullptr);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) Answer();
}

void WhipSource::Answer() {
  if (!session_->answer_created || !session_->done) return;
  if (session_->gathering_timer) g_source_remove(session_->gathering_timer);
  session_->gathering_timer = 0;
  GstWebRTCSessionDescription* local = nullptr;
  g_object_get(session_->webrtc, "local-description", &local, nullptr);
  GstSessionDescriptionPtr description(local);
  if (!description) return EndSession("webrtcbin has no local description", true);
  GCharPtr text(gst_sdp_message_as_text(description->sdp));
  AnswerDone done = std::exchange(session_->done, nullptr);
  spdlog::info("ingest: {}: publisher session {} answered", config_.id, session_->id);
  done(WhipAnswer{session_->id, media::ToString(text)});
}

void WhipSource::OnConnectionStateChanged() {
  GstWebRTCPeerConnectionState state;
  g_object_get(session_->webrtc, "connection-state", &state, nullptr);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    spdlog::info("ingest: {}: publisher session {} connected", config_.id, session_->id);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
             state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
    EndSession("the publisher left");
  }
}

bool WhipSource::Silent() const {
  const auto now = std::chrono::steady_clock::now();
  const auto last = feed_.last_frame();
  if (last < session_->offered) return now - session_->offered > kFirstPictureLimit;
  return now - last > kSilenceLimit;
}

void WhipSource::RequestKeyframe() {
  // An upstream force-key-unit event: webrtcbin's RTP session turns it into
  // a PLI to the publisher.
  GstElementPtr depay(gst_bin_get_by_name(GST_BIN(session_->pipeline.get()), "vdepay"));
  gst_element_send_event(depay.get(), gst_video_event_new_upstream_force_key_unit(
                                          GST_CLOCK_TIME_NONE, TRUE, 0));
}

bool WhipSource::End(std::string_view session) {
  if (!session_ || session_->id != session) return false;
  EndSession("the publisher left");
  return true;
}

void WhipSource::EndSession(const std::string& reason, bool failed) {
  if (!session_) return;
  std::unique_ptr<Session> ended = std::move(session_);
  AnswerDone done = std::exchange(ended->done, nullptr);
  spdlog::info("ingest: {}: publisher session {} ended: {}", config_.id, ended->id,
               reason.empty() ? "taken over" : reason);
  ended.reset();
  input_.Clear();
  if (done) {
    done(reason.empty() ? Error{"busy", "another publisher took over"}
                        : Error{"media_failed", reason});
  }
  if (reason.empty()) return;
  failed ? listener_.OnSourceFailed(config_.id, reason)
         : listener_.OnSourceIdle(config_.id, reason);
}

gboolean WhipSource::OnBus(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<WhipSource*>(data);
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR) return G_SOURCE_CONTINUE;
  std::string debug;
  const std::string text = media::BusErrorText(message, &debug);
  spdlog::debug("ingest: {}: {} ({})", self->config_.id, text, debug);
  self->session_->bus_watch = 0;  // removed by returning G_SOURCE_REMOVE
  self->EndSession("the publisher's stream failed: " + text, true);
  return G_SOURCE_REMOVE;
}

void WhipSource::OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* session = static_cast<Session*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const char* kind = gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "media");
  const bool video = kind && std::string_view(kind) == "video";
  if (!video && !(kind && std::string_view(kind) == "audio")) return;
  GstElementPtr depay(
      gst_bin_get_by_name(GST_BIN(session->pipeline.get()), video ? "vdepay" : "adepay"));
  GstPadPtr sink(gst_element_get_static_pad(depay.get(), "sink"));
  if (gst_pad_is_linked(sink.get())) return;  // a second stream of the kind
  if (gst_pad_link(pad, sink.get()) != GST_PAD_LINK_OK) {
    spdlog::warn("ingest: {}: cannot link the publisher's {}", session->source->config_.id, kind);
    return;
  }
  session->source->input_.SetCodecs(video ? "H.264" : "", video ? "" : "Opus");
  // The publisher's first keyframe may have gone out before the link was up.
  if (video) {
    SignalContext context{session->lifetime.Watch(), session->source};
    context.Post([](WhipSource& s) { s.RequestKeyframe(); });
  }
}

GstPadProbeReturn WhipSource::OnDecodedCaps(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  static_cast<WhipSource*>(data)->input_.SetSize(gst_caps_get_structure(caps, 0));
  return GST_PAD_PROBE_OK;
}

}  // namespace bridgecast::ingest
