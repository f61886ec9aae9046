#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <atomic>
#include <cstdio>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/gst_helpers.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"

namespace bridgecast::test {

inline constexpr char kVideoOffer[] =
    "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f,rtcp-fb-nack=(boolean)true,"
    "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true;"
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,"
    "rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true";

// The node's end of the floor's uplink, in process: offers what the node
// offers (video recvonly H.264 then VP8 with NACK/RTX, audio sendrecv Opus,
// BUNDLE), writes the H.264 it receives to an MPEG-TS file, counts the Opus
// packets, and sends a 440 Hz tone as the mix-minus.
class UplinkOfferer {
 public:
  explicit UplinkOfferer(std::string video_file) : video_file_(std::move(video_file)) {
    gst_init(nullptr, nullptr);
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("offerer"))));
    webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
    REQUIRE(webrtc_);
    g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);
    REQUIRE(client::RestrictIce(webrtc_, {"127.0.0.1"}).ok());
    // Video first, as in the node's offer: receive only, with NACK and RTX.
    media::GstCapsPtr video_caps(gst_caps_from_string(kVideoOffer));
    GstWebRTCRTPTransceiver* video = nullptr;
    g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                          video_caps.get(), &video);
    REQUIRE(video);
    g_object_set(video, "do-nack", TRUE, nullptr);
    gst_object_unref(video);
    GError* raw_error = nullptr;
    GstElement* tone = gst_parse_bin_from_description(
        "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audioconvert ! audioresample "
        "! opusenc inband-fec=true ! rtpopuspay pt=111 ! capsfilter "
        "caps=\"application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000\"",
        TRUE, &raw_error);
    media::GErrorPtr error(raw_error);
    INFO((error ? error->message : ""));
    REQUIRE(tone);
    gst_bin_add(GST_BIN(pipeline_.get()), tone);
    REQUIRE(gst_element_link(tone, webrtc_));
    g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&OnPadAdded), this);
    g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(&OnIceCandidate), this);
    rtpbin_ = client::FindChildByFactory(webrtc_, "rtpbin");
    REQUIRE(rtpbin_);
    g_signal_connect(rtpbin_, "pad-added", G_CALLBACK(&OnRtpBinPadAdded), nullptr);
    g_signal_connect(rtpbin_, "new-jitterbuffer", G_CALLBACK(&OnNewJitterBuffer), this);
  }
  ~UplinkOfferer() {
    g_signal_handlers_disconnect_by_data(rtpbin_, this);
    gst_object_unref(rtpbin_);
    g_signal_handlers_disconnect_by_data(webrtc_, this);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  using SendOffer = std::function<void(const std::string& sdp)>;
  using SendCandidate = std::function<void(int mline, const std::string& candidate)>;

  // Starts and offers; the offer and then the candidates go to the point.
  void Offer(SendOffer send_offer, SendCandidate send_candidate) {
    send_candidate_ = std::move(send_candidate);
    REQUIRE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
    REQUIRE(gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED);
    GstWebRTCSessionDescription* raw_offer = nullptr;
    gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                      &raw_offer, nullptr);
    gst_promise_unref(promise);
    media::GstSessionDescriptionPtr offer(raw_offer);
    REQUIRE(offer);
    g_signal_emit_by_name(webrtc_, "set-local-description", offer.get(), nullptr);
    media::GCharPtr text(gst_sdp_message_as_text(offer->sdp));
    offer_sdp = media::ToString(text);
    send_offer(offer_sdp);
  }

  void Answer(const std::string& sdp) {
    answer_sdp = sdp;
    GstSDPMessage* message = nullptr;
    REQUIRE(gst_sdp_message_new_from_text(sdp.c_str(), &message) == GST_SDP_OK);
    media::GstSessionDescriptionPtr answer(
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message));
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "set-remote-description", answer.get(), promise);
    auto error = client::PromiseError(promise);
    gst_promise_unref(promise);
    INFO(error.value_or(""));
    REQUIRE_FALSE(error);
  }

  void AddCandidate(int mline, const std::string& candidate) {
    g_signal_emit_by_name(webrtc_, "add-ice-candidate", static_cast<guint>(mline),
                          candidate.c_str());
  }

  // The H.264 file is readable as written (MPEG-TS); stopping ends it.
  void Stop() { gst_element_set_state(pipeline_.get(), GST_STATE_NULL); }

  // An RTCP PLI to the point, as the node's decoder asks after a loss.
  void RequestKeyframe() {
    std::lock_guard lock(video_pad_mutex_);
    if (video_pad_) {
      gst_pad_send_event(video_pad_.get(), gst_video_event_new_upstream_force_key_unit(
                                               GST_CLOCK_TIME_NONE, FALSE, 0));
    }
  }

  // The received video's jitterbuffer statistics (num-lost: not recovered;
  // rtx-count: retransmissions asked for; rtx-success-count: recovered).
  media::GstStructurePtr VideoJitterStats() {
    std::lock_guard lock(jitterbuffers_mutex_);
    for (const auto& [ssrc, jitterbuffer] : jitterbuffers_) {
      if (ssrc != video_ssrc.load()) continue;
      GstStructure* stats = nullptr;
      g_object_get(jitterbuffer.get(), "stats", &stats, nullptr);
      return media::GstStructurePtr(stats);
    }
    return nullptr;
  }

  std::string Describe() const {
    return "offerer: video packets " + std::to_string(video_packets) + ", audio packets " +
           std::to_string(audio_packets) + ", keyframes " + std::to_string(keyframes) +
           "\noffer:\n" + offer_sdp + "\nanswer:\n" + answer_sdp;
  }

  std::string offer_sdp;
  std::string answer_sdp;
  std::atomic<int> video_packets{0};
  std::atomic<int> audio_packets{0};
  std::atomic<int> keyframes{0};     // H.264 access units without DELTA_UNIT
  std::atomic<guint> video_ssrc{0};  // as received
  std::atomic<guint> audio_ssrc{0};

 private:
  static void OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
    auto* self = static_cast<UplinkOfferer*>(data);
    media::PostIfAlive(self->lifetime_.Watch(),
                       [self, mline, text = std::string(candidate ? candidate : "")] {
                         if (!text.empty()) self->send_candidate_(static_cast<int>(mline), text);
                       });
  }

  // As the node does (floor/uplink_session.cpp): an RTCP report every ~80 ms,
  // so a NACK goes out before the jitterbuffer gives up on its packet.
  static void OnRtpBinPadAdded(GstElement* rtpbin, GstPad* pad, gpointer) {
    guint session_id = 0;
    if (std::sscanf(GST_PAD_NAME(pad), "recv_rtp_sink_%u", &session_id) != 1) return;
    GObject* session = nullptr;
    g_signal_emit_by_name(rtpbin, "get-internal-session", session_id, &session);
    if (!session) return;
    g_object_set(session, "bandwidth", 1e6, nullptr);
    g_object_unref(session);
  }

  // After webrtcbin's handler, which with BUNDLE (1.22) gives every stream
  // the last transceiver's do-nack, here the audio's: the node asks again
  // for the picture's packets (and the offerer for the sound's too, which the
  // point cannot send: harmless here).
  static void OnNewJitterBuffer(GstElement*, GstElement* jitterbuffer, guint, guint ssrc,
                                gpointer data) {
    auto* self = static_cast<UplinkOfferer*>(data);
    g_object_set(jitterbuffer, "do-retransmission", TRUE, nullptr);
    std::lock_guard lock(self->jitterbuffers_mutex_);
    self->jitterbuffers_.emplace_back(
        ssrc, media::GstElementPtr(GST_ELEMENT(gst_object_ref(jitterbuffer))));
  }

  static GstPadProbeReturn Count(GstPad*, GstPadProbeInfo*, gpointer counter) {
    static_cast<std::atomic<int>*>(counter)->fetch_add(1);
    return GST_PAD_PROBE_OK;
  }

  static GstPadProbeReturn CountKeyframe(GstPad*, GstPadProbeInfo* info, gpointer counter) {
    if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT)) {
      static_cast<std::atomic<int>*>(counter)->fetch_add(1);
    }
    return GST_PAD_PROBE_OK;
  }

  static void OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
    auto* self = static_cast<UplinkOfferer*>(data);
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
    media::GstCapsPtr caps(gst_pad_get_current_caps(pad));
    if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
    const char* encoding =
        gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "encoding-name");
    const bool video = encoding && g_ascii_strcasecmp(encoding, "H264") == 0;
    guint ssrc = 0;
    if (gst_structure_get_uint(gst_caps_get_structure(caps.get(), 0), "ssrc", &ssrc)) {
      (video ? self->video_ssrc : self->audio_ssrc) = ssrc;
    }
    const std::string description =
        video ? "rtph264depay ! h264parse name=parse ! video/x-h264,alignment=au ! mpegtsmux ! "
                "filesink location=\"" +
                    self->video_file_ + "\" sync=false async=false"
              : std::string("rtpopusdepay ! fakesink sync=false async=false");
    // A streaming thread: no REQUIRE here; the counters stay at zero.
    GstElement* bin = gst_parse_bin_from_description(description.c_str(), TRUE, nullptr);
    if (!bin) return;
    gst_bin_add(GST_BIN(self->pipeline_.get()), bin);
    gst_element_sync_state_with_parent(bin);
    media::GstPadPtr sink(gst_element_get_static_pad(bin, "sink"));
    if (gst_pad_link(pad, sink.get()) != GST_PAD_LINK_OK) return;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &Count,
                      video ? &self->video_packets : &self->audio_packets, nullptr);
    if (!video) return;
    media::GstElementPtr parse(gst_bin_get_by_name(GST_BIN(bin), "parse"));
    media::GstPadPtr parsed(gst_element_get_static_pad(parse.get(), "src"));
    gst_pad_add_probe(parsed.get(), GST_PAD_PROBE_TYPE_BUFFER, &CountKeyframe, &self->keyframes,
                      nullptr);
    std::lock_guard lock(self->video_pad_mutex_);
    self->video_pad_.reset(GST_PAD(gst_object_ref(pad)));
  }

  std::string video_file_;
  media::GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;
  SendCandidate send_candidate_;
  std::mutex video_pad_mutex_;
  media::GstPadPtr video_pad_;  // webrtcbin's, once the point's video arrives
  GstElement* rtpbin_ = nullptr;  // webrtcbin's (a reference)
  std::mutex jitterbuffers_mutex_;
  std::vector<std::pair<guint, media::GstElementPtr>> jitterbuffers_;  // by SSRC
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::test
