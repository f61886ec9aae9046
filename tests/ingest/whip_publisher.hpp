#pragma once

#include <gst/gst.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "media/gst_ptr.hpp"
#include "media/ice_config.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::test {

// What OBS does, in process: a red picture in H.264 and a 440 Hz tone in
// Opus from a sendonly webrtcbin on loopback; offers once ICE has gathered
// (no trickle), then applies the node's answer.
class WhipPublisher {
 public:
  WhipPublisher() {
    GError* raw_error = nullptr;
    GstElement* pipeline = gst_parse_launch(
        "webrtcbin name=webrtc "
        "videotestsrc is-live=true pattern=red ! video/x-raw,width=320,height=180,framerate=15/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 "
        "! rtph264pay config-interval=-1 "
        "! application/x-rtp,media=video,encoding-name=H264,payload=96 ! webrtc. "
        "audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! opusenc "
        "! rtpopuspay ! application/x-rtp,media=audio,encoding-name=OPUS,payload=97 ! webrtc.",
        &raw_error);
    media::GErrorPtr error(raw_error);
    REQUIRE(pipeline);
    REQUIRE_FALSE(error);
    gst_object_ref_sink(pipeline);
    pipeline_.reset(pipeline);
    webrtc_.reset(gst_bin_get_by_name(GST_BIN(pipeline), "webrtc"));
    REQUIRE(media::ApplyIceConfig(webrtc_.get(), media::IceConfig{{"127.0.0.1"}, ""}));
    GArray* transceivers = nullptr;
    g_signal_emit_by_name(webrtc_.get(), "get-transceivers", &transceivers);
    REQUIRE(transceivers);
    for (guint i = 0; i < transceivers->len; ++i) {
      g_object_set(g_array_index(transceivers, GstWebRTCRTPTransceiver*, i), "direction",
                   GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, nullptr);
    }
    g_array_unref(transceivers);
  }
  ~WhipPublisher() { Stop(); }

  // Starts sending media to webrtcbin and returns the offer with its candidates.
  std::string Offer() {
    REQUIRE(gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    // An offer made before caps reach webrtcbin lacks the codec details.
    REQUIRE(RunLoopUntil([&] { return SinkPadsHaveCaps(); }, std::chrono::seconds(5)));
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_.get(), "create-offer", nullptr, promise);
    REQUIRE(gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED);
    GstWebRTCSessionDescription* raw_offer = nullptr;
    gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                      &raw_offer, nullptr);
    gst_promise_unref(promise);
    media::GstSessionDescriptionPtr offer(raw_offer);
    REQUIRE(offer);
    g_signal_emit_by_name(webrtc_.get(), "set-local-description", offer.get(), nullptr);
    REQUIRE(RunLoopUntil(
        [&] {
          GstWebRTCICEGatheringState state;
          g_object_get(webrtc_.get(), "ice-gathering-state", &state, nullptr);
          return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
        },
        std::chrono::seconds(5)));
    GstWebRTCSessionDescription* raw_local = nullptr;
    g_object_get(webrtc_.get(), "local-description", &raw_local, nullptr);
    media::GstSessionDescriptionPtr local(raw_local);
    REQUIRE(local);
    media::GCharPtr text(gst_sdp_message_as_text(local->sdp));
    return media::ToString(text);
  }

  void Answer(const std::string& sdp) {
    GstSDPMessage* message = nullptr;
    gst_sdp_message_new(&message);
    REQUIRE(gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(sdp.data()),
                                         static_cast<guint>(sdp.size()), message) == GST_SDP_OK);
    media::GstSessionDescriptionPtr answer(
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message));
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", answer.get(), promise);
    REQUIRE(gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED);
    const GstStructure* reply = gst_promise_get_reply(promise);
    const bool refused = reply && gst_structure_has_field(reply, "error");
    gst_promise_unref(promise);
    REQUIRE_FALSE(refused);
  }

  // The publisher goes away without a word (OBS killed, cable pulled).
  void Stop() {
    if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

 private:
  bool SinkPadsHaveCaps() {
    int with_caps = 0;
    GstIterator* it = gst_element_iterate_sink_pads(webrtc_.get());
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      if (gst_pad_has_current_caps(GST_PAD(g_value_get_object(&item)))) ++with_caps;
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    return with_caps == 2;
  }

  media::GstElementPtr pipeline_;
  media::GstElementPtr webrtc_;
};

}  // namespace bridgecast::test
