#include "floor/uplink_session.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string_view>
#include <thread>

#include "ingest/decode_branches.hpp"
#include "media/bus_error.hpp"
#include "media/sdp_checks.hpp"
#include "media/webrtc_glue.hpp"

namespace bridgecast::floor {
namespace {

using media::GCharPtr;
using media::GstCapsPtr;
using media::GstElementPtr;
using media::GstPadPtr;
using media::GstPromisePtr;
using media::GstSessionDescriptionPtr;
using media::LinkState;

// What the node takes from a speaker: H.264 as browsers and the native point
// send it, VP8 for browsers without an H.264 encoder. NACK and PLI are
// offered with both (do-nack), RTX with them. The speaker's sound comes
// first: Opus with in-band FEC (a lost packet is rebuilt from the next) and
// DTX (silence costs next to nothing); browsers adapt their video, not the
// sound, to what the line carries.
constexpr const char* kVideoCaps =
    "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f;"
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000";
constexpr const char* kAudioCaps =
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,"
    "encoding-params=(string)2,useinbandfec=(string)1,usedtx=(string)1";

constexpr guint8 kAudioPayload = 111;  // kAudioCaps's
constexpr double kSessionBandwidth = 1e6;  // bit/s, for RTCP timing only

// The uplink's RTP session has just been made. A NACK rides an early RTCP
// packet, and RTP/AVPF allows one early packet per regular interval, which
// follows the session bandwidth: left to guess it from a few hundred kbit/s
// of speaker, the session reports about once a second, and most NACKs
// expire (the jitterbuffer's 200 ms) before they go out, a PLI with them.
// A megabit (RTCP's 5%: 50 kbit/s) gives a report every ~80 ms.
void OnRtpBinPadAdded(GstElement* rtpbin, GstPad* pad, gpointer) {
  guint session_id = 0;
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SINK ||
      std::sscanf(GST_PAD_NAME(pad), "recv_rtp_sink_%u", &session_id) != 1) {
    return;
  }
  GObject* session = nullptr;
  g_signal_emit_by_name(rtpbin, "get-internal-session", session_id, &session);
  if (!session) return;
  g_object_set(session, "bandwidth", kSessionBandwidth, nullptr);
  g_object_unref(session);
}

// The first packet of a jitterbuffer's stream says whether it is the voice:
// no NACK for it, as the speaker keeps no audio history (no RTX offered)
// and Opus's in-band FEC covers a loss. The picture asks again for what it
// lost.
GstPadProbeReturn OnFirstPacket(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER
                          ? GST_PAD_PROBE_INFO_BUFFER(info)
                          : gst_buffer_list_get(GST_PAD_PROBE_INFO_BUFFER_LIST(info), 0);
  guint8 header[2];
  if (!buffer || gst_buffer_extract(buffer, 0, header, 2) != 2) return GST_PAD_PROBE_OK;
  GstElementPtr jitterbuffer(gst_pad_get_parent_element(pad));
  g_object_set(jitterbuffer.get(), "do-retransmission",
               gboolean((header[1] & 0x7f) != kAudioPayload), nullptr);
  return GST_PAD_PROBE_REMOVE;
}

// Runs after webrtcbin's own handler, which with BUNDLE (1.22) gives every
// stream of the session the do-nack of the last transceiver it looks at,
// whichever m-line that is.
void OnNewJitterBuffer(GstElement*, GstElement* jitterbuffer, guint, guint, gpointer) {
  GstPadPtr sink(gst_element_get_static_pad(jitterbuffer, "sink"));
  gst_pad_add_probe(
      sink.get(), GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      &OnFirstPacket, nullptr, nullptr);
}

std::string Description(const media::ProgramConfig& program) {
  // One decoder thread: a speaker sending more than it should costs at most
  // one core, never both. Pictures and samples reach the feed through the
  // leaky queues of the shared branches.
  return "webrtcbin name=webrtc bundle-policy=max-bundle latency=200 "
         "rtph264depay name=h264depay request-keyframe=true wait-for-keyframe=true ! h264parse "
         "! avdec_h264 max-threads=1 ! vin. "
         "rtpvp8depay name=vp8depay request-keyframe=true wait-for-keyframe=true "
         "! vp8dec threads=1 ! vin. "
         "funnel name=vin ! " +
         ingest::VideoBranch(program, false) +
         " rtpopusdepay name=adepay ! opusdec plc=true use-inband-fec=true ! " +
         ingest::AudioBranch(false) +
         // The hall's mix, back to the speaker's room: complexity 5 costs
         // 0.46 s of CPU per 30 s of sound here, the default 10 0.81 s.
         // In-band FEC for the line.
         " appsrc name=mixminus is-live=true format=time do-timestamp=true "
         "caps=audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
         "max-buffers=25 max-bytes=0 leaky-type=downstream block=false "
         "! audioconvert ! opusenc bitrate=64000 frame-size=20 complexity=5 inband-fec=true "
         "packet-loss-percentage=10 ! rtpopuspay name=mmpay pt=111";
}

}  // namespace

// Handed to webrtcbin with each signal and promise: it may fire on any thread
// and after the session is gone, so it holds only a weak watch.
struct UplinkSession::SignalContext {
  std::weak_ptr<char> watch;
  UplinkSession* session;

  static void Free(gpointer data, GClosure* = nullptr) { delete static_cast<SignalContext*>(data); }
  void Post(std::function<void(UplinkSession&)> task) const {
    UplinkSession* s = session;
    media::PostIfAlive(watch, [s, task = std::move(task)] { task(*s); });
  }
};

UplinkSession::SignalContext* UplinkSession::NewContext() {
  return new SignalContext{lifetime_.Watch(), this};
}

UplinkSession::UplinkSession(media::Program& program, ingest::SourceFeed& feed, Listener& listener)
    : program_(program), feed_(feed), listener_(&listener) {}

Result<std::unique_ptr<UplinkSession>> UplinkSession::Create(media::Program& program,
                                                             const media::IceConfig& ice,
                                                             ingest::SourceFeed& feed,
                                                             Listener& listener,
                                                             const std::string& name) {
  std::unique_ptr<UplinkSession> session(new UplinkSession(program, feed, listener));
  if (Status built = session->Build(ice, name); !built) return built.error();
  return session;
}

Status UplinkSession::Build(const media::IceConfig& ice, const std::string& name) {
  GError* raw_error = nullptr;
  GstElement* pipeline = gst_parse_launch(Description(program_.config()).c_str(), &raw_error);
  media::GErrorPtr error(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    return Error{"media_failed", std::string("cannot build the uplink pipeline: ") +
                                     (error ? error->message : "unknown")};
  }
  gst_object_ref_sink(pipeline);
  gst_object_set_name(GST_OBJECT(pipeline), ("uplink-" + name).c_str());
  pipeline_.reset(pipeline);
  ingest::ConnectFeed(pipeline, feed_);
  GstBin* bin = GST_BIN(pipeline);
  GstElementPtr webrtc(gst_bin_get_by_name(bin, "webrtc"));
  webrtc_ = webrtc.get();
  if (Status configured = media::ApplyIceConfig(webrtc_, ice); !configured) return configured;
  GstElementPtr rtpbin(gst_bin_get_by_name(GST_BIN(webrtc_), "rtpbin"));
  if (!rtpbin) return Error{"media_failed", "webrtcbin has no rtpbin"};
  g_signal_connect(rtpbin.get(), "pad-added", G_CALLBACK(&OnRtpBinPadAdded), nullptr);
  g_signal_connect(rtpbin.get(), "new-jitterbuffer", G_CALLBACK(&OnNewJitterBuffer), nullptr);
  candidates_ = media::CandidateFilter(media::IsLoopbackOnly(ice));

  // The audio section sends the mix-minus and receives the speaker's voice.
  GstCapsPtr audio_caps(gst_caps_from_string(kAudioCaps));
  GstPadTemplate* templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(webrtc_), "sink_%u");
  audio_sink_pad_ = gst_element_request_pad(webrtc_, templ, nullptr, audio_caps.get());
  if (!audio_sink_pad_) return Error{"media_failed", "webrtcbin refused a sink pad"};
  gst_object_unref(audio_sink_pad_);  // webrtcbin keeps the pad
  GstWebRTCRTPTransceiver* audio = nullptr;
  g_object_get(audio_sink_pad_, "transceiver", &audio, nullptr);
  if (!audio) return Error{"media_failed", "webrtcbin pad has no transceiver"};
  g_object_set(audio, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
               "codec-preferences", audio_caps.get(), nullptr);
  gst_object_unref(audio);
  GstCapsPtr video_caps(gst_caps_from_string(kVideoCaps));
  GstWebRTCRTPTransceiver* video = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                        video_caps.get(), &video);
  if (!video) return Error{"media_failed", "webrtcbin refused a transceiver"};
  g_object_set(video, "do-nack", TRUE, nullptr);
  gst_object_unref(video);

  GstElementPtr pay(gst_bin_get_by_name(bin, "mmpay"));
  GstPadPtr pay_src(gst_element_get_static_pad(pay.get(), "src"));
  if (gst_pad_link(pay_src.get(), audio_sink_pad_) != GST_PAD_LINK_OK) {
    return Error{"media_failed", "cannot link the mix-minus to webrtcbin"};
  }
  // Until the link is up the mix-minus is dropped (caps still pass, for the
  // offer): held, it would reach the speaker late, as a burst.
  gate_probe_ = gst_pad_add_probe(
      pay_src.get(), GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_DROP; }, nullptr, nullptr);

  GstElementPtr mix_minus(gst_bin_get_by_name(bin, "mixminus"));
  mix_minus_ = mix_minus.get();
  GstElement* appsrc = mix_minus_;
  program_.SetAudioTap(media::Program::AudioTap::kHall, [appsrc](GstSample* sample) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (!buffer) return;
    // Stamped again on arrival: the uplink runs on a clock base of its own.
    GstBuffer* copy = gst_buffer_copy(buffer);
    GST_BUFFER_PTS(copy) = GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
    gst_app_src_push_buffer(GST_APP_SRC(appsrc), copy);
  });

  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&UplinkSession::OnPadAdded), this);
  auto connect = [this](gpointer instance, const char* signal, GCallback callback) {
    g_signal_connect_data(instance, signal, callback, NewContext(), &SignalContext::Free,
                          GConnectFlags(0));
  };
  connect(webrtc_, "on-negotiation-needed", G_CALLBACK(+[](GstElement*, gpointer data) {
            static_cast<SignalContext*>(data)->Post([](UplinkSession& s) {
              s.negotiation_needed_ = true;
              s.TryCreateOffer();
            });
          }));
  connect(webrtc_, "on-ice-candidate",
          G_CALLBACK(+[](GstElement*, guint mline, gchar* candidate, gpointer data) {
            std::string text(candidate ? candidate : "");
            static_cast<SignalContext*>(data)->Post(
                [mline, text](UplinkSession& s) {
                  if (s.listener_) s.listener_->OnLocalCandidate(mline, text);
                });
          }));
  connect(webrtc_, "notify::connection-state",
          G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
            static_cast<SignalContext*>(data)->Post(
                [](UplinkSession& s) { s.OnConnectionStateChanged(); });
          }));
  connect(audio_sink_pad_, "notify::caps", G_CALLBACK(+[](GstPad*, GParamSpec*, gpointer data) {
            static_cast<SignalContext*>(data)->Post([](UplinkSession& s) { s.TryCreateOffer(); });
          }));
  media::GstBusPtr bus(gst_element_get_bus(pipeline));
  bus_watch_ = gst_bus_add_watch(bus.get(), &UplinkSession::OnBus, this);
  feed_.Restart();
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return Error{"media_failed", "the uplink pipeline did not start"};
  }
  return Ok{};
}

UplinkSession::~UplinkSession() {
  // No sample reaches the appsrc once the tap is cleared (same lock).
  program_.SetAudioTap(media::Program::AudioTap::kHall, nullptr);
  if (bus_watch_) g_source_remove(bus_watch_);
  if (!pipeline_) return;
  ingest::DisconnectFeed(pipeline_.get());
  // webrtcbin takes up to a second to stop (ICE, DTLS): not on the main
  // loop, where the next speaker's uplink and every signal wait.
  std::thread([pipeline = pipeline_.release()] {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }).detach();
}

void UplinkSession::TryCreateOffer() {
  if (offer_requested_ || !negotiation_needed_ || !gst_pad_has_current_caps(audio_sink_pad_)) {
    return;
  }
  offer_requested_ = true;
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        GstPromisePtr promise_ref(p);
        auto holder =
            std::make_shared<GstSessionDescriptionPtr>(media::PromiseDescription(p, "offer"));
        static_cast<SignalContext*>(data)->Post(
            [holder](UplinkSession& s) { s.OnOfferCreated(std::move(*holder)); });
      },
      NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void UplinkSession::OnOfferCreated(GstSessionDescriptionPtr offer) {
  if (!offer) return Fail("webrtcbin created no offer");
  GCharPtr text(gst_sdp_message_as_text(offer->sdp));
  offer_sent_ = true;
  if (listener_) listener_->OnLocalOffer(media::ToString(text));
  g_signal_emit_by_name(webrtc_, "set-local-description", offer.get(), nullptr);
}

Status UplinkSession::SetRemoteAnswer(std::string_view sdp) {
  if (!offer_sent_ || answered_) return Error{"bad_sdp", "no uplink offer is waiting for an answer"};
  auto message = media::ParseAnswer(sdp, 2);
  if (!message) return message.error();
  const GstSDPMedia* video = nullptr;
  const GstSDPMedia* audio = nullptr;
  for (guint i = 0; i < 2; ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(message->get(), i);
    const std::string_view kind = gst_sdp_media_get_media(media);
    (kind == "video" ? video : audio) = media;
  }
  if (!video || !audio) {
    return Error{"bad_sdp", "the answer needs one video and one audio section"};
  }
  if (!media::Active(message->get(), audio) || !media::Offers(audio, "OPUS")) {
    return Error{"unsupported_codec",
                 "the uplink's audio must be Opus (answered: " + media::Codecs(audio) + ")"};
  }
  sends_video_ = media::Active(message->get(), video) && media::Sends(message->get(), video);
  if (sends_video_ && !media::Offers(video, "H264", true) && !media::Offers(video, "VP8")) {
    return Error{"unsupported_codec", "the uplink's video must be H.264 or VP8 (answered: " +
                                          media::Codecs(video) + ")"};
  }
  answered_ = true;
  GstSessionDescriptionPtr answer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message->release()));
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        GstPromisePtr promise_ref(p);
        auto why = media::PromiseError(p);
        if (!why) return;
        static_cast<SignalContext*>(data)->Post(
            [why = *why](UplinkSession& s) { s.Fail("answer rejected by webrtcbin: " + why); });
      },
      NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(webrtc_, "set-remote-description", answer.get(), promise);
  return Ok{};
}

Status UplinkSession::AddRemoteCandidate(unsigned mline_index, std::string_view candidate) {
  auto admitted = candidates_.Admit(mline_index, candidate, answered_);
  if (!admitted) return admitted.error();
  if (*admitted) g_signal_emit_by_name(webrtc_, "add-ice-candidate", mline_index, (*admitted)->c_str());
  return Ok{};
}

void UplinkSession::OnConnectionStateChanged() {
  GstWebRTCPeerConnectionState raw;
  g_object_get(webrtc_, "connection-state", &raw, nullptr);
  const LinkState next = media::FromWebRtc(raw);
  if (next == state_) return;
  state_ = next;
  if (state_ == LinkState::kConnected && gate_probe_) {
    GstElementPtr pay(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "mmpay"));
    GstPadPtr src(gst_element_get_static_pad(pay.get(), "src"));
    gst_pad_remove_probe(src.get(), gate_probe_);
    gate_probe_ = 0;
    RequestKeyframe();
  }
  if (listener_) listener_->OnLinkStateChanged(state_);
}

void UplinkSession::Fail(const std::string& why) {
  spdlog::warn("floor: uplink failed: {}", why);
  if (state_ == LinkState::kFailed) return;
  state_ = LinkState::kFailed;
  if (listener_) listener_->OnLinkStateChanged(state_);
}

void UplinkSession::RequestKeyframe() {
  // Upstream force-key-unit events: webrtcbin's RTP session sends a PLI.
  for (const char* name : {"h264depay", "vp8depay"}) {
    GstElementPtr depay(gst_bin_get_by_name(GST_BIN(pipeline_.get()), name));
    gst_element_send_event(depay.get(), gst_video_event_new_upstream_force_key_unit(
                                            GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

void UplinkSession::OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<UplinkSession*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
  const char* encoding = gst_structure_get_string(s, "encoding-name");
  const std::string_view name = encoding ? encoding : "";
  const char* target = name == "H264"   ? "h264depay"
                       : name == "VP8"  ? "vp8depay"
                       : name == "OPUS" ? "adepay"
                                        : nullptr;
  if (!target) {
    spdlog::warn("floor: the speaker sends {}, which the node does not decode", name);
    return;
  }
  GstElementPtr depay(gst_bin_get_by_name(GST_BIN(self->pipeline_.get()), target));
  GstPadPtr sink(gst_element_get_static_pad(depay.get(), "sink"));
  if (gst_pad_is_linked(sink.get()) || gst_pad_link(pad, sink.get()) != GST_PAD_LINK_OK) return;
  // The speaker's first keyframe may have gone out before this link was up.
  if (name != "OPUS") {
    SignalContext context{self->lifetime_.Watch(), self};
    context.Post([](UplinkSession& s) { s.RequestKeyframe(); });
  }
}

gboolean UplinkSession::OnBus(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<UplinkSession*>(data);
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR) return G_SOURCE_CONTINUE;
  std::string debug;
  const std::string text = media::BusErrorText(message, &debug);
  spdlog::debug("floor: {} ({})", text, debug);
  self->bus_watch_ = 0;  // removed by returning G_SOURCE_REMOVE
  self->Fail("the speaker's stream failed: " + text);
  return G_SOURCE_REMOVE;
}

}  // namespace bridgecast::floor
