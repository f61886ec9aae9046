#include "client/point_receiver.hpp"

#include <nice/agent.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "client/gst_helpers.hpp"
#include "media/capture_stamp.hpp"

namespace bridgecast::client {
namespace {

constexpr double kSessionBandwidth = 500e3;  // bit/s, for RTCP timing only

// The H.264 stream of an offer: its payload type and its first (media) SSRC.
struct VideoStream {
  int payload_type = -1;
  int64_t ssrc = -1;
};
VideoStream FindVideoStream(const GstSDPMessage* sdp) {
  for (guint m = 0; m < gst_sdp_message_medias_len(sdp); ++m) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp, m);
    VideoStream video;
    for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
      if (!attr->value) continue;
      int pt = -1;
      char encoding[16] = {};
      unsigned long ssrc = 0;
      if (g_str_equal(attr->key, "rtpmap") &&
          std::sscanf(attr->value, "%d %15[^/]", &pt, encoding) == 2 &&
          g_ascii_strcasecmp(encoding, "H264") == 0) {
        video.payload_type = pt;
      } else if (g_str_equal(attr->key, "ssrc") && video.ssrc < 0 &&
                 std::sscanf(attr->value, "%lu", &ssrc) == 1) {
        video.ssrc = static_cast<int64_t>(ssrc);
      }
    }
    if (video.payload_type >= 0) return video;
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<PointReceiver>> PointReceiver::Create(
    ReceiverOptions options, std::shared_ptr<MediaCounters> counters, const Clock& clock,
    Listener& listener) {
  std::unique_ptr<PointReceiver> receiver(
      new PointReceiver(std::move(options), std::move(counters), clock, listener));
  if (Status built = receiver->Build(); !built) return built.error();
  return receiver;
}

PointReceiver::PointReceiver(ReceiverOptions options, std::shared_ptr<MediaCounters> counters,
                             const Clock& clock, Listener& listener)
    : options_(std::move(options)),
      counters_(std::move(counters)),
      clock_(clock),
      listener_(listener) {}

PointReceiver::~PointReceiver() {
  if (bus_watch_) g_source_remove(bus_watch_);
  if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_, this);
  if (rtpbin_) g_signal_handlers_disconnect_by_data(rtpbin_, this);
  // Stopping joins the streaming threads, so no probe or handler still uses
  // `this` once it returns; the pipeline is released while `this` is whole.
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  pipeline_.reset();
}

Status PointReceiver::Build() {
  GstElement* pipeline = gst_pipeline_new(options_.name.c_str());
  pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
  webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
  if (!webrtc_) return Error{"gst", "webrtcbin is not available"};
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
               static_cast<guint>(options_.latency_ms), nullptr);
  gst_bin_add(GST_BIN(pipeline), webrtc_);
  if (Status ice = RestrictIce(webrtc_, options_.ice_addresses); !ice) return ice;
  media::GstElementPtr rtpbin(FindChildByFactory(webrtc_, "rtpbin"));
  if (!rtpbin) return Error{"gst", "webrtcbin has no rtpbin"};
  rtpbin_ = rtpbin.get();
  g_signal_connect(rtpbin_, "pad-added", G_CALLBACK(&OnRtpBinPadAdded), this);
  g_signal_connect(rtpbin_, "new-jitterbuffer", G_CALLBACK(&OnNewJitterBuffer), this);

  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(&OnIceCandidate), this);
  g_signal_connect(webrtc_, "notify::connection-state", G_CALLBACK(&OnConnectionStateNotify), this);
  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&OnPadAdded), this);
  // Retransmission: the transceivers webrtcbin makes while answering ask for
  // none, so the answer would drop the offer's NACK and RTX and a lost packet
  // would cost the picture until the next keyframe. Which stream actually
  // asks is set per jitterbuffer (OnNewJitterBuffer).
  g_signal_connect(webrtc_, "on-new-transceiver",
                   G_CALLBACK(+[](GstElement*, GstWebRTCRTPTransceiver* transceiver, gpointer) {
                     g_object_set(transceiver, "do-nack", TRUE, nullptr);
                   }),
                   nullptr);
  if (options_.decode && !options_.record_file.empty()) {
    // MPEG-TS: nothing to write at the end, so a file cut by a kill reads.
    media::GstElementPtr mux = media::MakeElement("mpegtsmux");
    media::GstElementPtr file = media::MakeElement("filesink");
    if (!mux || !file) return Error{"gst", "mpegtsmux is not available"};
    g_object_set(file.get(), "location", options_.record_file.c_str(), "sync", FALSE, "async",
                 FALSE, nullptr);
    record_mux_ = mux.get();
    if (!AddChain(pipeline, {mux.get(), file.get()})) {
      return Error{"gst", "cannot build the recording"};
    }
  }
  media::GstBusPtr bus(gst_pipeline_get_bus(GST_PIPELINE(pipeline)));
  bus_watch_ = gst_bus_add_watch(bus.get(), &OnBusMessage, this);

  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return Error{"gst", "cannot start the receiving pipeline"};
  }
  return Ok{};
}

// A starved receiving thread lets the kernel drop media at the socket (UDP
// RcvbufErrors with 67 points on 2 cores); a larger buffer rides out bursts.
void PointReceiver::EnlargeReceiveBuffers() {
  NiceAgent* agent = GetNiceAgent(webrtc_);
  if (!agent) return;
  // BUNDLE gives one ICE stream; libnice numbers streams from 1.
  for (guint stream = 1; stream <= 4; ++stream) {
    GSocket* socket = nice_agent_get_selected_socket(agent, stream, NICE_COMPONENT_TYPE_RTP);
    if (!socket) continue;
    GError* error = nullptr;
    if (!g_socket_set_option(socket, SOL_SOCKET, SO_RCVBUF, kReceiveBufferBytes, &error)) {
      spdlog::debug("{}: cannot enlarge the receive buffer: {}", options_.name, error->message);
      g_error_free(error);
    }
    g_object_unref(socket);
  }
  g_object_unref(agent);
}

void PointReceiver::ApplyOffer(const std::string& sdp_text) {
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(sdp_text.c_str(), &sdp) != GST_SDP_OK) {
    PostError("the offer's SDP does not parse");
    return;
  }
  const VideoStream video = FindVideoStream(sdp);
  video_payload_type_ = video.payload_type;
  video_ssrc_ = video.ssrc;
  media::GstSessionDescriptionPtr offer(
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp));
  media::GstPromisePtr promise(
      gst_promise_new_with_change_func(&OnRemoteDescriptionSet, this, nullptr));
  g_signal_emit_by_name(webrtc_, "set-remote-description", offer.get(), promise.get());
}

void PointReceiver::RequestKeyframe() {
  media::GstPadPtr pad;
  {
    std::lock_guard lock(video_pad_mutex_);
    if (video_pad_) pad.reset(GST_PAD(gst_object_ref(video_pad_.get())));
  }
  // Upstream into webrtcbin, whose RTP session turns it into a PLI.
  if (pad) {
    gst_pad_send_event(pad.get(),
                       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 0));
  }
}

void PointReceiver::MuteProgramSound(bool muted) {
  std::lock_guard lock(volume_mutex_);
  program_muted_ = muted;
  if (volume_) g_object_set(volume_.get(), "mute", gboolean(muted), nullptr);
}

void PointReceiver::AddRemoteCandidate(int sdp_mline_index, const std::string& candidate) {
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", static_cast<guint>(sdp_mline_index),
                        candidate.c_str());
}

void PointReceiver::OnRemoteDescriptionSet(GstPromise* promise, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  if (auto error = PromiseError(promise)) {
    self->PostError("set-remote-description failed: " + *error);
    return;
  }
  media::GstPromisePtr next(gst_promise_new_with_change_func(&OnAnswerCreated, self, nullptr));
  g_signal_emit_by_name(self->webrtc_, "create-answer", nullptr, next.get());
}

void PointReceiver::OnAnswerCreated(GstPromise* promise, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  auto created = TakeAnswer(promise);
  if (!created) {
    self->PostError("create-answer failed: " + created.error().message);
    return;
  }
  media::PostIfAlive(self->lifetime_.Watch(), [self, answer = std::move(*created)] {
    // The answer goes out before set-local-description starts gathering, so
    // the node never sees a candidate ahead of the answer.
    self->listener_.OnAnswer(answer.sdp);
    g_signal_emit_by_name(self->webrtc_, "set-local-description", answer.description.get(),
                          nullptr);
  });
}

void PointReceiver::OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  media::PostIfAlive(self->lifetime_.Watch(),
                     [self, mline, text = std::string(candidate ? candidate : "")] {
                       self->listener_.OnLocalCandidate(static_cast<int>(mline), text);
                     });
}

void PointReceiver::OnConnectionStateNotify(GstElement*, GParamSpec*, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  media::PostIfAlive(self->lifetime_.Watch(), [self] {
    GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
    g_object_get(self->webrtc_, "connection-state", &state, nullptr);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) self->EnlargeReceiveBuffers();
    self->listener_.OnMediaState(state);
  });
}

// Runs on a streaming thread and links right away: a pad left unlinked until
// the main loop got to it would answer NOT_LINKED and stop its stream. It
// touches only the pipeline and immutable options.
void PointReceiver::OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  media::GstCapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s =
      caps && !gst_caps_is_empty(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const char* encoding = s ? gst_structure_get_string(s, "encoding-name") : nullptr;
  if (encoding && g_ascii_strcasecmp(encoding, "H264") == 0) {
    self->LinkVideo(pad);
  } else if (encoding && g_ascii_strcasecmp(encoding, "OPUS") == 0) {
    self->LinkAudio(pad);
  } else {
    spdlog::warn("{}: ignoring a stream with encoding {}", self->options_.name,
                 encoding ? encoding : "(none)");
    media::GstElementPtr sink = MakeFakesink(nullptr);
    if (!AddChain(self->pipeline_.get(), {sink.get()}) || !LinkPad(pad, sink.get())) {
      self->PostError("cannot link an unknown stream to fakesink");
    }
  }
}

void PointReceiver::LinkVideo(GstPad* pad) {
  {
    std::lock_guard lock(video_pad_mutex_);
    video_pad_.reset(GST_PAD(gst_object_ref(pad)));
  }
  if (!options_.decode && !options_.parse) {
    media::GstElementPtr sink = MakeFakesink("video-out");
    media::GstPadPtr sink_pad(gst_element_get_static_pad(sink.get(), "sink"));
    gst_pad_add_probe(sink_pad.get(), GST_PAD_PROBE_TYPE_BUFFER, &OnRtpPacket, this, nullptr);
    if (!AddChain(pipeline_.get(), {sink.get()}) || !LinkPad(pad, sink.get())) {
      PostError("cannot build the video chain");
    }
    return;
  }
  // Whole access units from the depayloader (by RTP marker and timestamp):
  // one buffer per picture, both of x264's slices. h264parse's own NAL-to-AU
  // assembly split each IDR in two.
  media::GstElementPtr depay = media::MakeElement("rtph264depay");
  media::GstElementPtr filter = media::MakeElement("capsfilter");
  media::GstElementPtr parse = media::MakeElement("h264parse");
  if (filter) {
    media::GstCapsPtr au(gst_caps_from_string("video/x-h264,alignment=au"));
    g_object_set(filter.get(), "caps", au.get(), nullptr);
  }
  bool ok = AddChain(pipeline_.get(), {depay.get(), filter.get(), parse.get()});

  GstElement* tail = nullptr;
  if (ok && options_.decode) {
    media::GstElementPtr queue = media::MakeElement("queue");
    media::GstElementPtr decoder = media::MakeElement("avdec_h264");
    if (options_.display) {
      media::GstElementPtr convert = media::MakeElement("videoconvert");
      ok = AddChain(pipeline_.get(),
                    {queue.get(), decoder.get(), convert.get(),
                     MakeOutputSink("autovideosink", "video-out", options_.name).get()});
    } else {
      media::GstElementPtr sink = MakeFakesink("video-out");
      ok = AddChain(pipeline_.get(), {queue.get(), decoder.get(), sink.get()});
    }
    if (ok) {
      media::GstPadPtr decoded(gst_element_get_static_pad(decoder.get(), "src"));
      gst_pad_add_probe(decoded.get(),
                        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                     GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                        &OnDecodedFrame, this, nullptr);
    }
    tail = queue.get();
  } else if (ok) {
    media::GstElementPtr sink = MakeFakesink("video-out");
    ok = AddChain(pipeline_.get(), {sink.get()});
    tail = sink.get();
  }
  if (ok && record_mux_) {
    media::GstElementPtr tee = media::MakeElement("tee");
    GstElement* tee_ref = tee.get();
    ok = AddChain(pipeline_.get(), {tee.get()}) && gst_element_link(parse.get(), tee_ref) &&
         Record(tee_ref, "sink_%d") && gst_element_link(tee_ref, tail);
  } else {
    ok = ok && gst_element_link(parse.get(), tail);
  }
  if (ok) {
    media::GstPadPtr parsed(gst_element_get_static_pad(parse.get(), "src"));
    gst_pad_add_probe(parsed.get(), GST_PAD_PROBE_TYPE_BUFFER, &OnParsedFrame, this, nullptr);
    ok = LinkPad(pad, depay.get());
  }
  if (!ok) PostError("cannot build the video chain");
}

void PointReceiver::LinkAudio(GstPad* pad) {
  bool ok;
  GstElement* head;
  if (options_.decode) {
    media::GstElementPtr depay = media::MakeElement("rtpopusdepay");
    media::GstElementPtr decoder = media::MakeElement("opusdec");
    if (options_.display) {
      media::GstElementPtr volume = media::MakeElement("volume");
      media::GstElementPtr convert = media::MakeElement("audioconvert");
      media::GstElementPtr resample = media::MakeElement("audioresample");
      ok = AddChain(pipeline_.get(),
                    {depay.get(), decoder.get(), volume.get(), convert.get(), resample.get(),
                     MakeOutputSink("autoaudiosink", "audio-out", options_.name).get()});
      if (ok) {
        std::lock_guard lock(volume_mutex_);
        g_object_set(volume.get(), "mute", gboolean(program_muted_), nullptr);
        volume_.reset(GST_ELEMENT(gst_object_ref(volume.get())));
      }
    } else {
      media::GstElementPtr sink = MakeFakesink("audio-out");
      ok = AddChain(pipeline_.get(), {depay.get(), decoder.get(), sink.get()});
    }
    if (ok && record_mux_) {
      // depay → tee → decoder, and tee → the recording.
      media::GstElementPtr tee = media::MakeElement("tee");
      GstElement* tee_ref = tee.get();
      gst_element_unlink(depay.get(), decoder.get());
      ok = AddChain(pipeline_.get(), {tee.get()}) && gst_element_link(depay.get(), tee_ref) &&
           gst_element_link(tee_ref, decoder.get()) && Record(tee_ref, "sink_%d");
    }
    head = depay.get();
  } else {
    // Cheap points keep audio as RTP: no depayloading, no decoding.
    media::GstElementPtr sink = MakeFakesink("audio-out");
    ok = AddChain(pipeline_.get(), {sink.get()});
    head = sink.get();
  }
  if (!ok || !LinkPad(pad, head)) PostError("cannot build the audio chain");
}

bool PointReceiver::Record(GstElement* tee, const char* mux_pad) {
  media::GstElementPtr queue = media::MakeElement("queue");
  GstElement* queue_ref = queue.get();
  if (!AddChain(pipeline_.get(), {queue.get()}) || !gst_element_link(tee, queue_ref)) return false;
  media::GstPadPtr src(gst_element_get_static_pad(queue_ref, "src"));
  media::GstPadPtr sink(gst_element_request_pad_simple(record_mux_, mux_pad));
  return sink && gst_pad_link(src.get(), sink.get()) == GST_PAD_LINK_OK;
}

GstPadProbeReturn PointReceiver::OnParsedFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  self->CountFrame(!GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT));
  return GST_PAD_PROBE_OK;
}

namespace {

// Whether an H.264 RTP packet (RFC 6184) carries an SPS or the start of an
// IDR slice: alone, anywhere in a STAP-A (x264 leads each frame with an
// access unit delimiter), or starting an FU-A.
bool CarriesKeyframe(const guint8* rtp, gsize size) {
  constexpr int kIdr = 5;
  constexpr int kSps = 7;
  constexpr int kStapA = 24;
  constexpr int kFuA = 28;
  auto key = [](int nal) { return nal == kIdr || nal == kSps; };
  if (size < 12) return false;
  gsize offset = 12 + 4 * (rtp[0] & 0x0f);
  if (rtp[0] & 0x10) {  // header extension: 4 bytes, then its length in words
    if (size < offset + 4) return false;
    offset += 4 + 4 * ((rtp[offset + 2] << 8) | rtp[offset + 3]);
  }
  if (size < offset + 2) return false;
  const int type = rtp[offset] & 0x1f;
  if (type == kFuA) return (rtp[offset + 1] & 0x80) && key(rtp[offset + 1] & 0x1f);
  if (type != kStapA) return key(type);
  for (gsize at = offset + 1; at + 2 < size;) {
    const gsize length = (rtp[at] << 8) | rtp[at + 1];
    if (key(rtp[at + 2] & 0x1f)) return true;
    at += 2 + length;
  }
  return false;
}

}  // namespace

// A frame is complete when its last packet (marker bit) arrives with no
// sequence number missing since the previous frame's last packet.
GstPadProbeReturn PointReceiver::OnRtpPacket(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
  if (map.size < 12) {
    gst_buffer_unmap(buffer, &map);
    return GST_PAD_PROBE_OK;
  }
  const bool marker = map.data[1] & 0x80;
  const auto seq = static_cast<uint16_t>((map.data[2] << 8) | map.data[3]);
  if (CarriesKeyframe(map.data, map.size)) self->rtp_frame_is_key_ = true;
  gst_buffer_unmap(buffer, &map);
  if (seq != self->rtp_next_seq_) self->rtp_gap_ = true;
  self->rtp_next_seq_ = static_cast<uint16_t>(seq + 1);
  if (!marker) return GST_PAD_PROBE_OK;
  // The first frame seen may have started before this point joined.
  if (self->rtp_seen_marker_ && !self->rtp_gap_) self->CountFrame(self->rtp_frame_is_key_);
  self->rtp_seen_marker_ = true;
  self->rtp_gap_ = false;
  self->rtp_frame_is_key_ = false;
  return GST_PAD_PROBE_OK;
}

// The first frame is the first keyframe: what a viewer can start from.
// Frames before it cannot be shown, and lie outside the report's receive
// window: they are not counted.
void PointReceiver::CountFrame(bool keyframe) {
  if (!keyframe && !first_frame_seen_.load()) return;
  counters_->frames.fetch_add(1, std::memory_order_relaxed);
  if (!keyframe) return;
  counters_->keyframes.fetch_add(1, std::memory_order_relaxed);
  if (!first_frame_seen_.exchange(true)) {
    TimePoint at = clock_.Now();
    media::PostIfAlive(lifetime_.Watch(), [this, at] { listener_.OnFirstFrame(at); });
  }
}

GstPadProbeReturn PointReceiver::OnDecodedFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
    self->counters_->decoded.fetch_add(1, std::memory_order_relaxed);
    if (!self->first_decoded_seen_.exchange(true)) {
      TimePoint at = self->clock_.Now();
      media::PostIfAlive(self->lifetime_.Watch(),
                         [self, at] { self->listener_.OnFirstDecoded(at); });
    }
    self->ReadCaptureStamp(GST_PAD_PROBE_INFO_BUFFER(info));
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    const GstStructure* s = gst_caps_get_structure(caps, 0);
    int width = 0;
    int height = 0;
    if (gst_structure_get_int(s, "width", &width) && gst_structure_get_int(s, "height", &height)) {
      self->counters_->width.store(width);
      self->counters_->height.store(height);
    }
    self->decoded_info_valid_ = gst_video_info_from_caps(&self->decoded_info_, caps);
  }
  return GST_PAD_PROBE_OK;
}

// On the decoder's streaming thread, right after decoding: the frame's age
// since the program stamped it, on the same wall clock (same machine).
void PointReceiver::ReadCaptureStamp(GstBuffer* buffer) {
  // Anything further off is not a latency but a misread that passed the CRC.
  constexpr double kMaxPlausibleMs = 60000;
  GstVideoFrame frame;
  if (!decoded_info_valid_ || GST_VIDEO_INFO_FORMAT(&decoded_info_) != GST_VIDEO_FORMAT_I420 ||
      !gst_video_frame_map(&frame, &decoded_info_, buffer, GST_MAP_READ)) {
    counters_->stamps_unread.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const media::LumaPlane luma{static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                              GST_VIDEO_FRAME_WIDTH(&frame), GST_VIDEO_FRAME_HEIGHT(&frame),
                              GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)};
  auto stamp = media::ReadCaptureStamp(luma);
  gst_video_frame_unmap(&frame);
  const auto now = std::chrono::duration_cast<std::chrono::duration<double, std::milli>>(
      std::chrono::system_clock::now().time_since_epoch());
  const double age = stamp ? (now - *stamp).count() : -1;
  if (!stamp || age < 0 || age > kMaxPlausibleMs) {
    counters_->stamps_unread.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  counters_->AddLatency(age);
}

// Runs after webrtcbin's own handler, which with BUNDLE (1.22) gives every
// stream the setting of the last transceiver, audio's. Only video asks for
// retransmission: the node keeps no audio history, and audio's NACKs would
// use up the early RTCP that video's need.
void PointReceiver::OnNewJitterBuffer(GstElement*, GstElement* jitterbuffer, guint, guint ssrc,
                                      gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  g_object_set(jitterbuffer, "do-retransmission", gboolean(ssrc == self->video_ssrc_.load()),
               nullptr);
}

// A receiving RTP session has just been made (its first pad).
void PointReceiver::OnRtpBinPadAdded(GstElement* rtpbin, GstPad* pad, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  guint session_id = 0;
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SINK ||
      std::sscanf(GST_PAD_NAME(pad), "recv_rtp_sink_%u", &session_id) != 1) {
    return;
  }
  // A NACK rides an early RTCP packet, and RTP/AVPF allows one early packet
  // per regular interval. The interval follows the session bandwidth, which
  // a receiver does not know (default 64 kbit/s: ~0.7 s, far beyond the
  // jitterbuffer's 200 ms). Half a megabit gives ~120 ms.
  GObject* session = nullptr;
  g_signal_emit_by_name(rtpbin, "get-internal-session", session_id, &session);
  if (session) {
    g_object_set(session, "bandwidth", kSessionBandwidth, nullptr);
    g_object_unref(session);
  }
  if (self->options_.drop_video_every <= 0) return;
  gst_pad_add_probe(pad,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_BUFFER_LIST),
                    &DropVideoPackets, data, nullptr);
}

// Decrypted RTP on its way into the RTP session, before the jitterbuffer:
// what is dropped here is what a NACK can ask for again. Retransmissions
// (another payload type) pass.
GstPadProbeReturn PointReceiver::DropVideoPackets(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  const int video_pt = self->video_payload_type_.load();
  auto drop = [self, video_pt](GstBuffer* buffer) {
    guint8 header[2];
    if (video_pt < 0 || gst_buffer_extract(buffer, 0, header, 2) != 2) return false;
    if ((header[1] & 0x7f) != video_pt) return false;
    if (++self->video_packets_in_ % self->options_.drop_video_every != 0) return false;
    self->counters_->dropped.fetch_add(1, std::memory_order_relaxed);
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

gboolean PointReceiver::OnBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<PointReceiver*>(data);
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR &&
      GST_MESSAGE_TYPE(message) != GST_MESSAGE_WARNING) {
    return G_SOURCE_CONTINUE;
  }
  media::GCharPtr path(gst_object_get_path_string(GST_MESSAGE_SRC(message)));
  std::string where = media::ToString(path);
  std::string text = DescribeBusMessage(message);
  // A failing window or sound device does not stop reception and counting.
  bool output = where.find("/video-out") != std::string::npos ||
                where.find("/audio-out") != std::string::npos;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING || output) {
    spdlog::warn("{}: {}", self->options_.name, text);
  } else {
    self->PostError(text);
  }
  return G_SOURCE_CONTINUE;
}

void PointReceiver::PostError(std::string reason) {
  media::PostIfAlive(lifetime_.Watch(),
                     [this, reason = std::move(reason)] { listener_.OnMediaError(reason); });
}

}  // namespace bridgecast::client
