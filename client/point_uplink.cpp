#include "client/point_uplink.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "client/gst_helpers.hpp"

namespace bridgecast::client {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr int kFps = 25;
constexpr int kVideoKbps = 800;
constexpr int kKeyframeInterval = 2 * kFps;  // frames

// The payload types of `encoding` in `media`, in the offer's order.
std::vector<int> PayloadTypes(const GstSDPMedia* media, const char* encoding) {
  std::vector<int> types;
  for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
    const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
    int pt = -1;
    char name[16] = {};
    if (attr->value && g_str_equal(attr->key, "rtpmap") &&
        std::sscanf(attr->value, "%d %15[^/]", &pt, name) == 2 &&
        g_ascii_strcasecmp(name, encoding) == 0) {
      types.push_back(pt);
    }
  }
  return types;
}

// Whether `media` has an fmtp line for `pt` that contains `parameter`.
bool HasFormatParameter(const GstSDPMedia* media, int pt, const char* parameter) {
  for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
    const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
    int fmt = -1;
    if (attr->value && g_str_equal(attr->key, "fmtp") &&
        std::sscanf(attr->value, "%d", &fmt) == 1 && fmt == pt &&
        std::strstr(attr->value, parameter)) {
      return true;
    }
  }
  return false;
}

// The first video and audio m-lines of the offer and the payload types the
// uplink sends in them: H.264 with packetization-mode=1 if there is one, and
// Opus.
template <typename Offered>
void FindOfferedMedia(const GstSDPMessage* sdp, Offered& out) {
  for (guint m = 0; m < gst_sdp_message_medias_len(sdp); ++m) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp, m);
    if (out.video_mline < 0 && g_strcmp0(gst_sdp_media_get_media(media), "video") == 0) {
      out.video_mline = static_cast<int>(m);
      const std::vector<int> h264 = PayloadTypes(media, "H264");
      for (int pt : h264) {
        if (HasFormatParameter(media, pt, "packetization-mode=1")) {
          out.h264_payload = pt;
          break;
        }
      }
      if (out.h264_payload < 0 && !h264.empty()) out.h264_payload = h264.front();
    } else if (out.audio_mline < 0 && g_strcmp0(gst_sdp_media_get_media(media), "audio") == 0) {
      out.audio_mline = static_cast<int>(m);
      const std::vector<int> opus = PayloadTypes(media, "OPUS");
      if (!opus.empty()) out.opus_payload = opus.front();
    }
  }
}

// The transceiver webrtcbin made for m-line `mline` of the remote offer (a
// new reference), or null.
GstWebRTCRTPTransceiver* FindTransceiver(GstElement* webrtc, int mline) {
  GArray* transceivers = nullptr;
  g_signal_emit_by_name(webrtc, "get-transceivers", &transceivers);
  GstWebRTCRTPTransceiver* found = nullptr;
  for (guint i = 0; transceivers && i < transceivers->len; ++i) {
    auto* t = g_array_index(transceivers, GstWebRTCRTPTransceiver*, i);
    guint index = 0;
    g_object_get(t, "mlineindex", &index, nullptr);
    if (static_cast<int>(index) == mline) {
      found = GST_WEBRTC_RTP_TRANSCEIVER(gst_object_ref(t));
      break;
    }
  }
  if (transceivers) g_array_unref(transceivers);
  return found;
}

// An RTP packet: version 2 in the first two bits (not DTLS or STUN), and not
// RTCP, whose packet types 192-223 (64-95 without the marker bit) share the
// port with rtcp-mux.
bool IsRtp(GstBuffer* buffer) {
  guint8 header[2];
  if (gst_buffer_extract(buffer, 0, header, 2) != 2) return false;
  const int type = header[1] & 0x7f;
  return (header[0] & 0xc0) == 0x80 && !(type >= 64 && type <= 95);
}

}  // namespace

std::string ReturnRecordingPath(const std::string& file, int cycle) {
  if (cycle <= 1 || file.empty()) return file;
  const std::filesystem::path path(file);
  std::filesystem::path renamed = path.parent_path() / path.stem();
  renamed += "-" + std::to_string(cycle);
  renamed += path.extension();
  return renamed.string();
}

Result<std::unique_ptr<PointUplink>> PointUplink::Create(UplinkOptions options,
                                                         Listener& listener) {
  std::unique_ptr<PointUplink> uplink(new PointUplink(std::move(options), listener));
  if (Status built = uplink->Build(); !built) return built.error();
  return uplink;
}

PointUplink::PointUplink(UplinkOptions options, Listener& listener)
    : options_(std::move(options)), listener_(listener) {}

PointUplink::~PointUplink() {
  if (bus_watch_) g_source_remove(bus_watch_);
  if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_, this);
  FinishRecording();
  // Stopping joins the streaming threads, so no probe or handler still uses
  // `this` once it returns.
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  pipeline_.reset();
}

Status PointUplink::Build() {
  GstElement* pipeline = gst_pipeline_new((options_.name + "-uplink").c_str());
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
  webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
  if (!webrtc_) return Error{"gst", "webrtcbin is not available"};
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  gst_bin_add(GST_BIN(pipeline), webrtc_);
  if (Status ice = RestrictIce(webrtc_, options_.ice_addresses); !ice) return ice;
  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(&OnIceCandidate), this);
  g_signal_connect(webrtc_, "notify::connection-state", G_CALLBACK(&OnConnectionStateNotify), this);
  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&OnPadAdded), this);
  if (Status built = BuildReturn(); !built) return built;
  media::GstBusPtr bus(gst_pipeline_get_bus(GST_PIPELINE(pipeline)));
  bus_watch_ = gst_bus_add_watch(bus.get(), &OnBusMessage, this);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return Error{"gst", "cannot start the uplink's pipeline"};
  }
  return Ok{};
}

// The mix-minus: depayloaded, decoded, played and written to a WAV file, or
// dropped. Built ahead so the node's first packets find it ready.
Status PointUplink::BuildReturn() {
  media::GstElementPtr depay = media::MakeElement("rtpopusdepay");
  return_head_ = depay.get();
  if (!options_.play && options_.record_file.empty()) {
    if (!AddChain(pipeline_.get(), {depay.get(), MakeFakesink("return-out").get()})) {
      return Error{"gst", "cannot build the return's sink"};
    }
    return Ok{};
  }
  media::GstElementPtr decoder = media::MakeElement("opusdec");
  media::GstElementPtr tee = media::MakeElement("tee");
  GstElement* split = tee.get();
  if (!AddChain(pipeline_.get(), {depay.get(), decoder.get(), tee.get()})) {
    return Error{"gst", "cannot build the return's decoder (opusdec)"};
  }
  // Each branch behind a queue: the sound card's clock does not hold up the file.
  if (options_.play) {
    media::GstElementPtr queue = media::MakeElement("queue");
    GstElement* head = queue.get();
    media::GstElementPtr convert = media::MakeElement("audioconvert");
    media::GstElementPtr resample = media::MakeElement("audioresample");
    if (!AddChain(pipeline_.get(),
                  {queue.get(), convert.get(), resample.get(),
                   MakeOutputSink("autoaudiosink", "return-out", options_.name).get()}) ||
        !gst_element_link(split, head)) {
      return Error{"gst", "cannot build the return's player"};
    }
  }
  if (options_.record_file.empty()) return Ok{};
  media::GstElementPtr queue = media::MakeElement("queue");
  GstElement* head = queue.get();
  media::GstElementPtr convert = media::MakeElement("audioconvert");
  media::GstElementPtr resample = media::MakeElement("audioresample");
  media::GstElementPtr filter = media::MakeElement("capsfilter");
  media::GstElementPtr wav = media::MakeElement("wavenc");
  media::GstElementPtr file = media::MakeElement("filesink");
  if (!filter || !file) return Error{"gst", "cannot make the return's recorder"};
  media::GstCapsPtr caps(gst_caps_from_string("audio/x-raw,format=S16LE,rate=48000"));
  g_object_set(filter.get(), "caps", caps.get(), nullptr);
  g_object_set(file.get(), "location", options_.record_file.c_str(), "sync", FALSE, "async", FALSE,
               nullptr);
  if (!AddChain(pipeline_.get(), {queue.get(), convert.get(), resample.get(), filter.get(),
                                  wav.get(), file.get()}) ||
      !gst_element_link(split, head)) {
    return Error{"gst", "cannot build the return's recorder (wavenc)"};
  }
  record_pad_.reset(gst_element_get_static_pad(wav.get(), "sink"));
  gst_pad_add_probe(record_pad_.get(), GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, &GuardRecording, this,
                    nullptr);
  return Ok{};
}

void PointUplink::ApplyOffer(const std::string& sdp_text) {
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(sdp_text.c_str(), &sdp) != GST_SDP_OK) {
    PostError("the uplink offer's SDP does not parse");
    return;
  }
  FindOfferedMedia(sdp, offered_);
  media::GstSessionDescriptionPtr offer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp));
  if (offered_.audio_mline < 0 || offered_.opus_payload < 0) {
    PostError("the uplink offer has no Opus audio");
    return;
  }
  media::GstPromisePtr promise(
      gst_promise_new_with_change_func(&OnRemoteDescriptionSet, this, nullptr));
  g_signal_emit_by_name(webrtc_, "set-remote-description", offer.get(), promise.get());
}

void PointUplink::AddRemoteCandidate(int sdp_mline_index, const std::string& candidate) {
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", static_cast<guint>(sdp_mline_index),
                        candidate.c_str());
}

void PointUplink::OnRemoteDescriptionSet(GstPromise* promise, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  if (auto error = PromiseError(promise)) {
    self->PostError("uplink set-remote-description failed: " + *error);
    return;
  }
  media::PostIfAlive(self->lifetime_.Watch(), [self] {
    if (Status prepared = self->PrepareAnswer(); !prepared) {
      self->listener_.OnUplinkError(prepared.error().message);
      return;
    }
    media::GstPromisePtr next(gst_promise_new_with_change_func(&OnAnswerCreated, self, nullptr));
    g_signal_emit_by_name(self->webrtc_, "create-answer", nullptr, next.get());
  });
}

Status PointUplink::PrepareAnswer() {
  const int opus = offered_.opus_payload;
  const guint audio_ssrc = g_random_int();
  const std::string audio_caps =
      "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=" +
      std::to_string(opus) + ",ssrc=(uint)" + std::to_string(audio_ssrc);
  media::GstElementPtr tone = media::MakeElement("audiotestsrc");
  media::GstElementPtr convert = media::MakeElement("audioconvert");
  media::GstElementPtr resample = media::MakeElement("audioresample");
  media::GstElementPtr encoder = media::MakeElement("opusenc");
  media::GstElementPtr pay = media::MakeElement("rtpopuspay");
  if (!tone || !encoder || !pay) return Error{"gst", "cannot make the microphone (opusenc)"};
  g_object_set(tone.get(), "is-live", TRUE, "wave", 0 /* sine */, "freq",
               static_cast<double>(options_.tone_hz), "volume", 0.3, nullptr);
  // In-band FEC: the node's decoder rebuilds a lost 20 ms frame from the next.
  gst_util_set_object_arg(G_OBJECT(encoder.get()), "frame-size", "20");
  g_object_set(encoder.get(), "inband-fec", TRUE, "packet-loss-percentage", 10, nullptr);
  g_object_set(pay.get(), "pt", static_cast<guint>(opus), "ssrc", audio_ssrc, nullptr);
  if (Status s =
          AttachSender(offered_.audio_mline, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV,
                       /*nack=*/false, audio_caps.c_str(),
                       {tone.get(), convert.get(), resample.get(), encoder.get(), pay.get()});
      !s) {
    return s;
  }
  if (offered_.video_mline < 0) return Ok{};
  media::GstObjectPtr<GstWebRTCRTPTransceiver> video(
      FindTransceiver(webrtc_, offered_.video_mline));
  if (!options_.video || offered_.h264_payload < 0) {
    if (options_.video) spdlog::warn("{}: the uplink offer has no H.264; no camera", options_.name);
    // Without a transceiver (a bundle-only m-line) webrtcbin answers with
    // one of its own, which sends nothing either.
    if (video) {
      g_object_set(video.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                   nullptr);
    }
    return Ok{};
  }
  const int h264 = offered_.h264_payload;
  const guint video_ssrc = g_random_int();
  const std::string video_caps =
      "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=" +
      std::to_string(h264) + ",ssrc=(uint)" + std::to_string(video_ssrc);
  media::GstElementPtr camera = media::MakeElement("videotestsrc");
  media::GstElementPtr raw = media::MakeElement("capsfilter");
  media::GstElementPtr x264 = media::MakeElement("x264enc");
  media::GstElementPtr profile = media::MakeElement("capsfilter");
  media::GstElementPtr h264pay = media::MakeElement("rtph264pay");
  if (!camera || !raw || !x264 || !profile || !h264pay) {
    return Error{"gst", "cannot make the camera (x264enc)"};
  }
  gst_util_set_object_arg(G_OBJECT(camera.get()), "pattern", "solid-color");
  g_object_set(camera.get(), "is-live", TRUE, "foreground-color",
               static_cast<guint>(0xff000000u | options_.colour), nullptr);
  media::GstCapsPtr raw_caps(gst_caps_new_simple(
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, kWidth, "height",
      G_TYPE_INT, kHeight, "framerate", GST_TYPE_FRACTION, kFps, 1, nullptr));
  g_object_set(raw.get(), "caps", raw_caps.get(), nullptr);
  gst_util_set_object_arg(G_OBJECT(x264.get()), "tune", "zerolatency");
  gst_util_set_object_arg(G_OBJECT(x264.get()), "speed-preset", "ultrafast");
  g_object_set(x264.get(), "bitrate", static_cast<guint>(kVideoKbps), "key-int-max",
               static_cast<guint>(kKeyframeInterval), nullptr);
  media::GstCapsPtr h264_caps(gst_caps_from_string("video/x-h264,profile=constrained-baseline"));
  g_object_set(profile.get(), "caps", h264_caps.get(), nullptr);
  // SPS and PPS before every keyframe: the node may start on any of them.
  g_object_set(h264pay.get(), "pt", static_cast<guint>(h264), "ssrc", video_ssrc, "config-interval",
               -1, nullptr);
  gst_util_set_object_arg(G_OBJECT(h264pay.get()), "aggregate-mode", "zero-latency");
  // Retransmission for the camera: the node asks again for what a lossy
  // line lost (NACK), and the answer keeps the offer's RTX.
  return AttachSender(offered_.video_mline, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                      /*nack=*/true, video_caps.c_str(),
                      {camera.get(), raw.get(), x264.get(), profile.get(), h264pay.get()});
}

// Links `chain` to the transceiver of `mline`, with `direction` and `caps`
// as its codec. The answer is made before the sources' first caps reach
// webrtcbin, so the caps name the payloader's SSRC: without it the answer
// would give the camera's RTX SSRC alone, and the node could not tell the
// streams apart by the SDP. webrtcbin makes a transceiver for an m-line of the remote
// offer when it sets the offer, except for a bundle-only m-line (port 0),
// whose transceiver comes with the answer: a pad named sink_<mline> is given
// that m-line's transceiver, or makes it. The direction must allow sending
// before the pad is asked for.
Status PointUplink::AttachSender(int mline, GstWebRTCRTPTransceiverDirection direction, bool nack,
                                 const char* caps_text, std::initializer_list<GstElement*> chain) {
  media::GstCapsPtr caps(gst_caps_from_string(caps_text));
  media::GstObjectPtr<GstWebRTCRTPTransceiver> transceiver(FindTransceiver(webrtc_, mline));
  if (transceiver) g_object_set(transceiver.get(), "direction", direction, nullptr);
  const std::string pad_name = "sink_" + std::to_string(mline);
  GstPadTemplate* templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(webrtc_), "sink_%u");
  media::GstPadPtr sink(gst_element_request_pad(webrtc_, templ, pad_name.c_str(), caps.get()));
  if (!sink) return Error{"gst", "webrtcbin gave no pad " + pad_name};
  if (!transceiver) {
    GstWebRTCRTPTransceiver* made = nullptr;
    g_object_get(sink.get(), "transceiver", &made, nullptr);
    transceiver.reset(made);
  }
  if (!transceiver) return Error{"gst", "no transceiver for m-line " + std::to_string(mline)};
  g_object_set(transceiver.get(), "direction", direction, "codec-preferences", caps.get(),
               "do-nack", gboolean(nack), nullptr);
  if (!AddChain(pipeline_.get(), chain)) return Error{"gst", "cannot build the uplink's sources"};
  media::GstPadPtr src(gst_element_get_static_pad(*std::rbegin(chain), "src"));
  if (gst_pad_link(src.get(), sink.get()) != GST_PAD_LINK_OK) {
    return Error{"gst", "cannot link a source to webrtcbin's " + pad_name};
  }
  return Ok{};
}

void PointUplink::OnAnswerCreated(GstPromise* promise, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  auto created = TakeAnswer(promise);
  if (!created) {
    self->PostError("uplink create-answer failed: " + created.error().message);
    return;
  }
  media::PostIfAlive(self->lifetime_.Watch(), [self, answer = std::move(*created)] {
    // The answer goes out before set-local-description starts gathering, so
    // the node never sees a candidate ahead of the answer.
    self->listener_.OnUplinkAnswer(answer.sdp);
    g_signal_emit_by_name(self->webrtc_, "set-local-description", answer.description.get(),
                          nullptr);
  });
}

void PointUplink::OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  media::PostIfAlive(self->lifetime_.Watch(),
                     [self, mline, text = std::string(candidate ? candidate : "")] {
                       self->listener_.OnUplinkLocalCandidate(static_cast<int>(mline), text);
                     });
}

void PointUplink::OnConnectionStateNotify(GstElement*, GParamSpec*, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  media::PostIfAlive(self->lifetime_.Watch(), [self] {
    GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
    g_object_get(self->webrtc_, "connection-state", &state, nullptr);
    // ICE is checking: the transport, nicesink included, exists; media
    // flows only after DTLS, so no packet has gone out yet.
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING ||
        state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
      self->AddLossProbes();
    }
    self->listener_.OnUplinkMediaState(state);
  });
}

void PointUplink::AddLossProbes() {
  if (options_.loss <= 0 || loss_probes_added_) return;
  loss_probes_added_ = true;
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(webrtc_));
  GValue item = G_VALUE_INIT;
  int probes = 0;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* e = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* f = gst_element_get_factory(e);
    if (f && g_str_equal(GST_OBJECT_NAME(f), "nicesink")) {
      media::GstPadPtr pad(gst_element_get_static_pad(e, "sink"));
      gst_pad_add_probe(
          pad.get(),
          static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
          &DropSentPackets, this, nullptr);
      ++probes;
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  if (probes == 0)
    spdlog::warn("{}: no nicesink in the uplink; --uplink-loss is void", options_.name);
}

// Encrypted packets on their way to the socket. Only RTP is dropped: the
// handshake and the receiver's reports get through, as on a real line
// most of the time.
GstPadProbeReturn PointUplink::DropSentPackets(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  std::lock_guard lock(self->loss_mutex_);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto drop = [self, &uniform](GstBuffer* buffer) {
    if (!IsRtp(buffer) || uniform(self->loss_random_) >= self->options_.loss) return false;
    self->dropped_.fetch_add(1, std::memory_order_relaxed);
    return true;
  };
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
    return drop(GST_PAD_PROBE_INFO_BUFFER(info)) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
  }
  GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
  GST_PAD_PROBE_INFO_DATA(info) = list;
  for (guint i = gst_buffer_list_length(list); i-- > 0;) {
    if (drop(gst_buffer_list_get(list, i))) gst_buffer_list_remove(list, i, 1);
  }
  return GST_PAD_PROBE_OK;
}

// Runs on a streaming thread and links right away, as PointReceiver does.
void PointUplink::OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  media::GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s =
      caps && !gst_caps_is_empty(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const char* encoding = s ? gst_structure_get_string(s, "encoding-name") : nullptr;
  media::GstPadPtr head(gst_element_get_static_pad(self->return_head_, "sink"));
  if (encoding && g_ascii_strcasecmp(encoding, "OPUS") == 0 && !gst_pad_is_linked(head.get())) {
    if (gst_pad_link(pad, head.get()) != GST_PAD_LINK_OK) {
      self->PostError("cannot link the node's mix-minus");
    }
    return;
  }
  spdlog::warn("{}: uplink: ignoring a stream with encoding {}", self->options_.name,
               encoding ? encoding : "(none)");
  media::GstElementPtr sink = MakeFakesink(nullptr);
  if (!AddChain(self->pipeline_.get(), {sink.get()}) || !LinkPad(pad, sink.get())) {
    self->PostError("cannot link an unknown stream to fakesink");
  }
}

// Once finished, the WAV writer sees no more buffers: EOS made it rewrite
// its header, and data after that would not be counted in it.
GstPadProbeReturn PointUplink::GuardRecording(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  if (!self->recording_finished_.load()) return GST_PAD_PROBE_OK;
  const bool eos = (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) &&
                   GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS;
  return eos ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

// EOS goes in at the WAV writer's own pad, under its stream lock like any
// buffer: when the call returns, the header holds the final sizes and the
// file sink has written everything.
void PointUplink::FinishRecording() {
  if (!record_pad_ || recording_finished_.exchange(true)) return;
  // Nothing came: there is no stream to end (and the file stays empty).
  if (!gst_pad_has_current_caps(record_pad_.get())) return;
  gst_pad_send_event(record_pad_.get(), gst_event_new_eos());
}

UplinkStats PointUplink::Stats() {
  UplinkStats stats;
  stats.packets_dropped = dropped_.load();
  media::GstPromisePtr promise(gst_promise_new());
  g_signal_emit_by_name(webrtc_, "get-stats", nullptr, promise.get());
  if (gst_promise_wait(promise.get()) != GST_PROMISE_RESULT_REPLIED) return stats;
  const GstStructure* reply = gst_promise_get_reply(promise.get());
  for (int i = 0; reply && i < gst_structure_n_fields(reply); ++i) {
    const GValue* value = gst_structure_get_value(reply, gst_structure_nth_field_name(reply, i));
    if (!GST_VALUE_HOLDS_STRUCTURE(value)) continue;
    const GstStructure* s = gst_value_get_structure(value);
    GstWebRTCStatsType type;
    guint64 packets = 0;
    guint64 bytes = 0;
    if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr) ||
        type != GST_WEBRTC_STATS_OUTBOUND_RTP) {
      continue;
    }
    if (gst_structure_get_uint64(s, "packets-sent", &packets)) stats.packets_sent += packets;
    if (gst_structure_get_uint64(s, "bytes-sent", &bytes)) stats.bytes_sent += bytes;
  }
  return stats;
}

gboolean PointUplink::OnBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<PointUplink*>(data);
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_LATENCY) {
    // The sources join a playing pipeline: its latency, which the RTP
    // session needs to time what it sends, is reckoned again.
    gst_bin_recalculate_latency(GST_BIN(self->pipeline_.get()));
    return G_SOURCE_CONTINUE;
  }
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR &&
      GST_MESSAGE_TYPE(message) != GST_MESSAGE_WARNING) {
    return G_SOURCE_CONTINUE;
  }
  const std::string text = DescribeBusMessage(message);
  // A failing sound device does not stop the uplink.
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING ||
      text.find("/return-out") != std::string::npos) {
    spdlog::warn("{}: uplink: {}", self->options_.name, text);
  } else {
    self->PostError(text);
  }
  return G_SOURCE_CONTINUE;
}

void PointUplink::PostError(std::string reason) {
  media::PostIfAlive(lifetime_.Watch(),
                     [this, reason = std::move(reason)] { listener_.OnUplinkError(reason); });
}

}  // namespace bridgecast::client
