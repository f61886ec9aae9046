#include "media/webrtc_point_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "media/sdp_checks.hpp"
#include "media/webrtc_glue.hpp"

namespace bridgecast::media {
namespace {

constexpr guint kStatsIntervalSeconds = 2;

// Per-point queues: about one second of packets; when the point stalls the
// oldest are dropped (it will ask for a keyframe when it recovers).
constexpr guint kVideoQueuePackets = 300;
constexpr guint kAudioQueuePackets = 100;

double NumberField(const GstStructure* s, const char* field) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return 0.0;
  GValue d = G_VALUE_INIT;
  g_value_init(&d, G_TYPE_DOUBLE);
  double out = 0.0;
  if (g_value_transform(v, &d)) out = g_value_get_double(&d);
  g_value_unset(&d);
  return out;
}

// What teardown needs after the session object is gone: unlink each tee pad
// when it is idle (between two buffers), then stop and remove the elements.
struct Teardown {
  GstElement* pipeline;  // a reference of our own
  std::vector<std::pair<GstElement*, GstPad*>> tee_pads;
  std::vector<GstElement*> elements;
  size_t unlinked = 0;

  void Finish() {
    for (auto& [tee, pad] : tee_pads) {
      gst_element_release_request_pad(tee, pad);
      gst_object_unref(pad);
    }
    for (GstElement* e : elements) {
      gst_element_set_locked_state(e, TRUE);
      gst_element_set_state(e, GST_STATE_NULL);
      gst_bin_remove(GST_BIN(pipeline), e);
    }
    gst_object_unref(pipeline);
  }
};

void StartTeardown(std::shared_ptr<Teardown> teardown) {
  for (auto& [tee, pad] : teardown->tee_pads) {
    auto* holder = new std::shared_ptr<Teardown>(teardown);
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_IDLE,
        [](GstPad* tee_pad, GstPadProbeInfo*, gpointer data) -> GstPadProbeReturn {
          GstPad* peer = gst_pad_get_peer(tee_pad);
          if (peer) {
            gst_pad_unlink(tee_pad, peer);
            gst_object_unref(peer);
          }
          auto t = *static_cast<std::shared_ptr<Teardown>*>(data);
          PostToMainLoop([t] {
            if (++t->unlinked == t->tee_pads.size()) t->Finish();
          });
          return GST_PAD_PROBE_REMOVE;
        },
        holder, [](gpointer data) { delete static_cast<std::shared_ptr<Teardown>*>(data); });
  }
}

}  // namespace

// Handed to webrtcbin with each signal and promise: it may fire on any thread
// and after the session is gone, so it holds only a weak watch.
struct WebRtcPointSession::SignalContext {
  std::weak_ptr<char> watch;
  WebRtcPointSession* session;

  static void Free(gpointer data, GClosure* = nullptr) { delete static_cast<SignalContext*>(data); }
  void Post(std::function<void(WebRtcPointSession&)> task) const {
    WebRtcPointSession* s = session;
    PostIfAlive(watch, [s, task = std::move(task)] { task(*s); });
  }
};

WebRtcPointSession::SignalContext* WebRtcPointSession::NewContext() {
  return new SignalContext{lifetime_.Watch(), this};
}

WebRtcPointSession::WebRtcPointSession(Program& program, Listener& listener)
    : program_(program), listener_(listener) {}

Result<std::unique_ptr<WebRtcPointSession>> WebRtcPointSession::Create(Program& program,
                                                                       const IceConfig& ice,
                                                                       Listener& listener,
                                                                       const std::string& name) {
  std::unique_ptr<WebRtcPointSession> session(new WebRtcPointSession(program, listener));
  Status built = session->Build(ice, name);
  if (!built) return built.error();
  return session;
}

Status WebRtcPointSession::Build(const IceConfig& ice, const std::string& name) {
  GstElementPtr webrtc = MakeElement("webrtcbin", fmt::format("webrtc-{}", name).c_str());
  if (!webrtc) return Error{"media_failed", "webrtcbin is not available"};
  if (Status configured = ApplyIceConfig(webrtc.get(), ice); !configured) return configured;
  candidates_ = CandidateFilter(IsLoopbackOnly(ice));
  webrtc_ = AddToBin(GST_BIN(program_.pipeline()), std::move(webrtc));
  if (!webrtc_) return Error{"media_failed", "a session named " + name + " already exists"};

  GstCapsPtr video_caps = ProgramVideoRtpCaps();
  GstCapsPtr audio_caps = ProgramAudioRtpCaps();
  Status video = AddBranch(program_.video_tee(), video_caps.get(), true, "vqueue-" + name,
                           video_queue_, video_tee_pad_, video_sink_pad_);
  if (!video) return video;
  Status audio = AddBranch(program_.audio_tee(), audio_caps.get(), false, "aqueue-" + name,
                           audio_queue_, audio_tee_pad_, audio_sink_pad_);
  if (!audio) return audio;

  auto connect = [this](gpointer instance, const char* signal, GCallback callback) {
    g_signal_connect_data(instance, signal, callback, NewContext(), &SignalContext::Free,
                          GConnectFlags(0));
  };
  connect(webrtc_, "on-negotiation-needed", G_CALLBACK(+[](GstElement*, gpointer data) {
            static_cast<SignalContext*>(data)->Post([](WebRtcPointSession& s) {
              s.negotiation_needed_ = true;
              s.TryCreateOffer();
            });
          }));
  connect(webrtc_, "on-ice-candidate",
          G_CALLBACK(+[](GstElement*, guint mline, gchar* candidate, gpointer data) {
            std::string text(candidate ? candidate : "");
            static_cast<SignalContext*>(data)->Post([mline, text](WebRtcPointSession& s) {
              s.listener_.OnLocalCandidate(mline, text);
            });
          }));
  connect(webrtc_, "notify::connection-state",
          G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
            static_cast<SignalContext*>(data)->Post(
                [](WebRtcPointSession& s) { s.OnConnectionStateChanged(); });
          }));
  // Offers made before caps reach webrtcbin lack the codec details.
  for (GstPad* pad : {video_sink_pad_, audio_sink_pad_}) {
    connect(pad, "notify::caps", G_CALLBACK(+[](GstPad*, GParamSpec*, gpointer data) {
              static_cast<SignalContext*>(data)->Post(
                  [](WebRtcPointSession& s) { s.TryCreateOffer(); });
            }));
  }

  gst_element_sync_state_with_parent(webrtc_);
  gst_element_sync_state_with_parent(video_queue_);
  gst_element_sync_state_with_parent(audio_queue_);
  // Only now that the branch runs is it fed from the tees.
  for (auto [tee_pad, queue] : {std::pair{video_tee_pad_, video_queue_},
                                std::pair{audio_tee_pad_, audio_queue_}}) {
    GstPadPtr queue_sink(gst_element_get_static_pad(queue, "sink"));
    if (gst_pad_link(tee_pad, queue_sink.get()) != GST_PAD_LINK_OK) {
      return Error{"media_failed", "cannot link the program to the point"};
    }
  }
  stats_timer_ = g_timeout_add_seconds(
      kStatsIntervalSeconds,
      [](gpointer data) -> gboolean {
        static_cast<WebRtcPointSession*>(data)->PollStats();
        return G_SOURCE_CONTINUE;
      },
      this);
  return Ok{};
}

Status WebRtcPointSession::AddBranch(GstElement* tee, GstCaps* codec, bool nack,
                                     const std::string& queue_name, GstElement*& queue,
                                     GstPad*& tee_pad, GstPad*& webrtc_pad) {
  GstElementPtr q = MakeElement("queue", queue_name.c_str());
  g_object_set(q.get(), "leaky", 2 /* downstream: drop the oldest */, "max-size-buffers",
               nack ? kVideoQueuePackets : kAudioQueuePackets, "max-size-bytes", 0u,
               "max-size-time", guint64{0}, nullptr);
  queue = AddToBin(GST_BIN(program_.pipeline()), std::move(q));

  webrtc_pad = gst_element_request_pad_simple(webrtc_, "sink_%u");
  if (!webrtc_pad) return Error{"media_failed", "webrtcbin refused a sink pad"};
  // webrtcbin keeps the pad; our reference from the request is not needed.
  gst_object_unref(webrtc_pad);
  GstWebRTCRTPTransceiver* transceiver = nullptr;
  g_object_get(webrtc_pad, "transceiver", &transceiver, nullptr);
  if (!transceiver) return Error{"media_failed", "webrtcbin pad has no transceiver"};
  g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
               "codec-preferences", codec, nullptr);
  if (nack) g_object_set(transceiver, "do-nack", TRUE, nullptr);
  gst_object_unref(transceiver);

  GstPadPtr queue_src(gst_element_get_static_pad(queue, "src"));
  if (gst_pad_link(queue_src.get(), webrtc_pad) != GST_PAD_LINK_OK) {
    return Error{"media_failed", "cannot link queue to webrtcbin"};
  }
  // Until the link is up, packets are dropped behind the queue: held, they
  // would reach the point as a burst of stale media when ICE connects.
  // Events (caps, needed for the offer) still pass.
  gate_probes_.push_back(gst_pad_add_probe(
      queue_src.get(), GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_DROP; }, nullptr, nullptr));
  tee_pad = gst_element_request_pad_simple(tee, "src_%u");
  if (!tee_pad) return Error{"media_failed", "program tee refused a pad"};
  return Ok{};
}

WebRtcPointSession::~WebRtcPointSession() {
  if (stats_timer_) g_source_remove(stats_timer_);
  auto teardown = std::make_shared<Teardown>();
  teardown->pipeline = GST_ELEMENT(gst_object_ref(program_.pipeline()));
  for (auto [tee, pad] : {std::pair{program_.video_tee(), video_tee_pad_},
                          std::pair{program_.audio_tee(), audio_tee_pad_}}) {
    if (pad) teardown->tee_pads.emplace_back(tee, pad);
  }
  for (GstElement* e : {webrtc_, video_queue_, audio_queue_}) {
    if (e) teardown->elements.push_back(e);
  }
  if (teardown->tee_pads.empty()) {
    teardown->Finish();
  } else {
    StartTeardown(std::move(teardown));
  }
}

void WebRtcPointSession::TryCreateOffer() {
  if (offer_requested_ || !negotiation_needed_) return;
  if (!gst_pad_has_current_caps(video_sink_pad_) || !gst_pad_has_current_caps(audio_sink_pad_)) {
    return;
  }
  offer_requested_ = true;
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        GstPromisePtr promise_ref(p);
        auto holder = std::make_shared<GstSessionDescriptionPtr>(PromiseDescription(p, "offer"));
        static_cast<SignalContext*>(data)->Post(
            [holder](WebRtcPointSession& s) { s.OnOfferCreated(std::move(*holder)); });
      },
      NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void WebRtcPointSession::OnOfferCreated(GstSessionDescriptionPtr offer) {
  if (!offer) {
    spdlog::error("media: webrtcbin created no offer");
    state_ = LinkState::kFailed;
    listener_.OnLinkStateChanged(state_);
    return;
  }
  GCharPtr text(gst_sdp_message_as_text(offer->sdp));
  // The point must have the offer before our candidates can reach it.
  offer_sent_ = true;
  listener_.OnLocalOffer(ToString(text));
  g_signal_emit_by_name(webrtc_, "set-local-description", offer.get(), nullptr);
}

Status WebRtcPointSession::SetRemoteAnswer(std::string_view sdp) {
  if (!offer_sent_ || answered_) return Error{"bad_sdp", "no offer is waiting for an answer"};
  auto message = ParseAnswer(sdp, 2);
  if (!message) return message.error();
  answered_ = true;
  GstSessionDescriptionPtr answer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message->release()));
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        GstPromisePtr promise_ref(p);
        auto why = PromiseError(p);
        if (!why) return;
        static_cast<SignalContext*>(data)->Post(
            [why = *why](WebRtcPointSession& s) { s.OnRemoteDescriptionFailed(why); });
      },
      NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(webrtc_, "set-remote-description", answer.get(), promise);
  return Ok{};
}

void WebRtcPointSession::OnRemoteDescriptionFailed(const std::string& why) {
  spdlog::warn("media: answer rejected by webrtcbin: {}", why);
  state_ = LinkState::kFailed;
  listener_.OnLinkStateChanged(state_);
}

Status WebRtcPointSession::AddRemoteCandidate(unsigned mline_index, std::string_view candidate) {
  auto admitted = candidates_.Admit(mline_index, candidate, answered_);
  if (!admitted) return admitted.error();
  if (*admitted) g_signal_emit_by_name(webrtc_, "add-ice-candidate", mline_index, (*admitted)->c_str());
  return Ok{};
}

void WebRtcPointSession::OnConnectionStateChanged() {
  GstWebRTCPeerConnectionState raw;
  g_object_get(webrtc_, "connection-state", &raw, nullptr);
  const LinkState next = FromWebRtc(raw);
  if (next == state_) return;
  state_ = next;
  if (state_ == LinkState::kConnected) {
    OpenGates();
    program_.RequestKeyframe();
  }
  listener_.OnLinkStateChanged(state_);
}

void WebRtcPointSession::OpenGates() {
  if (gate_probes_.empty()) return;
  size_t i = 0;
  for (GstElement* queue : {video_queue_, audio_queue_}) {
    GstPadPtr src(gst_element_get_static_pad(queue, "src"));
    gst_pad_remove_probe(src.get(), gate_probes_[i++]);
  }
  gate_probes_.clear();
}

void WebRtcPointSession::PollStats() {
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        GstPromisePtr promise_ref(p);
        const GstStructure* reply = gst_promise_get_reply(p);
        if (!reply) return;
        auto copy = std::make_shared<GstStructurePtr>(gst_structure_copy(reply));
        static_cast<SignalContext*>(data)->Post(
            [copy](WebRtcPointSession& s) { s.OnStats(std::move(*copy)); });
      },
      NewContext(), [](gpointer data) { SignalContext::Free(data); });
  g_signal_emit_by_name(webrtc_, "get-stats", nullptr, promise);
}

void WebRtcPointSession::OnStats(GstStructurePtr report) {
  PointStats next;
  gst_structure_foreach(
      report.get(),
      [](GQuark, const GValue* value, gpointer data) -> gboolean {
        if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
        const GstStructure* s = gst_value_get_structure(value);
        GstWebRTCStatsType type;
        if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr)) return TRUE;
        auto& out = *static_cast<PointStats*>(data);
        if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
          out.packets_sent += static_cast<uint64_t>(NumberField(s, "packets-sent"));
          out.bytes_sent += static_cast<uint64_t>(NumberField(s, "bytes-sent"));
          out.nacks_received += static_cast<uint64_t>(NumberField(s, "nack-count"));
          out.plis_received += static_cast<uint64_t>(NumberField(s, "pli-count"));
        } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
          out.packets_lost += static_cast<int64_t>(NumberField(s, "packets-lost"));
          out.fraction_lost = std::max(out.fraction_lost, NumberField(s, "fraction-lost"));
          const auto us = [](double seconds) {
            return std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
          };
          out.jitter = std::max(out.jitter, us(NumberField(s, "jitter")));
          out.round_trip = std::max(out.round_trip, us(NumberField(s, "round-trip-time")));
        }
        return TRUE;
      },
      &next);
  stats_ = next;
}

}  // namespace bridgecast::media
