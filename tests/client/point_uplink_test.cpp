// The floor's uplink without the node: an offerer webrtcbin in the test asks
// what the node's uplink offer asks (video recvonly H.264 then VP8, audio
// sendrecv Opus, BUNDLE) and sends a 440 Hz mix-minus; the two are signalled
// by direct calls over loopback ICE. Judged by ffmpeg: the offerer's received
// pictures have the uplink's colour, the point's return recording the tone.
#include "client/point_uplink.hpp"

#include <gst/gst.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <sstream>

#include "client/gst_helpers.hpp"
#include "tests/support/media_judge.hpp"
#include "tests/support/run_loop.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::client {
namespace {

using namespace std::chrono_literals;
using test::RunLoopFor;
using test::RunLoopUntil;

constexpr char kVideoOffer[] =
    "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f,rtcp-fb-nack=(boolean)true,"
    "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true;"
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,"
    "rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true";

// The node's end: offers, writes the H.264 it receives to an MPEG-TS file,
// counts the Opus packets, and sends a 440 Hz tone.
class Offerer {
 public:
  explicit Offerer(std::string video_file) : video_file_(std::move(video_file)) {
    gst_init(nullptr, nullptr);
    pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("offerer"))));
    webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
    REQUIRE(webrtc_);
    g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);
    REQUIRE(RestrictIce(webrtc_, {"127.0.0.1"}).ok());
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
  }
  ~Offerer() {
    g_signal_handlers_disconnect_by_data(webrtc_, this);
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  // Starts, offers, and hands the offer and then the candidates to `uplink`.
  void Offer(PointUplink& uplink) {
    uplink_ = &uplink;
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
    uplink.ApplyOffer(offer_sdp);
  }

  void Answer(const std::string& sdp) {
    answer_sdp = sdp;
    GstSDPMessage* message = nullptr;
    REQUIRE(gst_sdp_message_new_from_text(sdp.c_str(), &message) == GST_SDP_OK);
    media::GstSessionDescriptionPtr answer(
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message));
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "set-remote-description", answer.get(), promise);
    auto error = PromiseError(promise);
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

  std::string offer_sdp;
  std::string answer_sdp;
  std::atomic<int> video_frames{0};
  std::atomic<int> audio_packets{0};

 private:
  static void OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
    auto* self = static_cast<Offerer*>(data);
    media::PostIfAlive(self->lifetime_.Watch(),
                       [self, mline, text = std::string(candidate ? candidate : "")] {
                         if (!text.empty()) self->uplink_->AddRemoteCandidate(mline, text);
                       });
  }

  static GstPadProbeReturn Count(GstPad*, GstPadProbeInfo*, gpointer counter) {
    static_cast<std::atomic<int>*>(counter)->fetch_add(1);
    return GST_PAD_PROBE_OK;
  }

  static void OnPadAdded(GstElement*, GstPad* pad, gpointer data) {
    auto* self = static_cast<Offerer*>(data);
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
    media::GstCapsPtr caps(gst_pad_get_current_caps(pad));
    if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
    const char* encoding =
        gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "encoding-name");
    const bool video = encoding && g_ascii_strcasecmp(encoding, "H264") == 0;
    const std::string description =
        video ? "rtph264depay ! h264parse ! mpegtsmux ! filesink location=\"" + self->video_file_ +
                    "\" sync=false async=false"
              : std::string("rtpopusdepay ! fakesink sync=false async=false");
    // A streaming thread: no REQUIRE here; the counters stay at zero.
    GstElement* bin = gst_parse_bin_from_description(description.c_str(), TRUE, nullptr);
    if (!bin) return;
    gst_bin_add(GST_BIN(self->pipeline_.get()), bin);
    gst_element_sync_state_with_parent(bin);
    media::GstPadPtr sink(gst_element_get_static_pad(bin, "sink"));
    if (gst_pad_link(pad, sink.get()) != GST_PAD_LINK_OK) return;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &Count,
                      video ? &self->video_frames : &self->audio_packets, nullptr);
  }

  std::string video_file_;
  media::GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;
  PointUplink* uplink_ = nullptr;
  media::Lifetime lifetime_;
};

// The point's listener: signalling goes straight to the offerer.
class Signalling final : public PointUplink::Listener {
 public:
  explicit Signalling(Offerer& offerer) : offerer_(offerer) {}
  void OnUplinkAnswer(std::string sdp) override { offerer_.Answer(sdp); }
  void OnUplinkLocalCandidate(int mline, std::string candidate) override {
    if (!candidate.empty()) offerer_.AddCandidate(mline, candidate);
  }
  void OnUplinkMediaState(GstWebRTCPeerConnectionState state) override {
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) connected = true;
  }
  void OnUplinkError(std::string reason) override { errors.push_back(reason); }

  bool connected = false;
  std::vector<std::string> errors;

 private:
  Offerer& offerer_;
};

std::string Describe(const Offerer& offerer, const Signalling& signalling) {
  std::ostringstream out;
  out << "offerer: video packets " << offerer.video_frames << ", audio packets "
      << offerer.audio_packets << "\noffer:\n"
      << offerer.offer_sdp << "\nanswer:\n"
      << offerer.answer_sdp;
  for (const std::string& e : signalling.errors) out << "\nerror: " << e;
  return out.str();
}

}  // namespace

TEST_CASE("the uplink answers the node's offer, sends its camera and records the mix-minus") {
  test::TempDir dir;
  const std::string video_file = dir.File("received.ts");
  const std::string return_file = dir.File("return.wav");
  Offerer offerer(video_file);
  Signalling signalling(offerer);
  UplinkOptions options;
  options.name = "uplink-test";
  options.colour = 0x2060c0;
  options.record_file = return_file;
  options.ice_addresses = {"127.0.0.1"};
  SECTION("on a clean line") {}
  SECTION("on a line that loses 5% of the packets") { options.loss = 0.05; }
  auto created = PointUplink::Create(options, signalling);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  std::unique_ptr<PointUplink> uplink = std::move(*created);
  offerer.Offer(*uplink);

  const bool flowing = RunLoopUntil(
      [&] {
        return !signalling.errors.empty() ||
               (signalling.connected && offerer.video_frames > 100 && offerer.audio_packets > 50);
      },
      20s);
  INFO(Describe(offerer, signalling));
  REQUIRE(flowing);
  REQUIRE(signalling.errors.empty());
  CHECK(offerer.answer_sdp.find("a=sendonly") != std::string::npos);
  CHECK(offerer.answer_sdp.find("a=sendrecv") != std::string::npos);
  RunLoopFor(3s);  // seconds of the mix-minus to measure

  const UplinkStats stats = uplink->Stats();
  CHECK(stats.packets_sent > 100);
  CHECK(stats.bytes_sent > 50000);
  if (options.loss > 0) {
    CHECK(stats.packets_dropped > 0);
  } else {
    CHECK(stats.packets_dropped == 0);
  }
  uplink.reset();  // finishes the WAV file
  offerer.Stop();
  CHECK(signalling.errors.empty());

  auto colour = test::MeanColour(video_file);
  REQUIRE(colour.ok());
  INFO("mean colour " << colour->r << " " << colour->g << " " << colour->b << " of "
                      << colour->pictures << " pictures; " << colour->errors);
  CHECK(colour->pictures > 25);
  CHECK(colour->r == Approx(0x20).margin(20));
  CHECK(colour->g == Approx(0x60).margin(20));
  CHECK(colour->b == Approx(0xc0).margin(20));

  auto tone = test::DominantToneHz(return_file);
  REQUIRE(tone.ok());
  INFO("return: " << tone->hz << " Hz at " << tone->tone_dbfs << " dBFS over " << tone->seconds
                  << " s; " << tone->errors);
  CHECK(tone->errors.empty());
  CHECK(tone->HasTone());
  CHECK(tone->hz == Approx(440).margin(2));
  CHECK(tone->seconds > 3);
}

TEST_CASE("each time the floor comes back, its return recording gets its own file") {
  CHECK(ReturnRecordingPath("/tmp/return.wav", 1) == "/tmp/return.wav");
  CHECK(ReturnRecordingPath("/tmp/return.wav", 2) == "/tmp/return-2.wav");
  CHECK(ReturnRecordingPath("return.wav", 5) == "return-5.wav");
  CHECK(ReturnRecordingPath("return", 3) == "return-3");
  CHECK(ReturnRecordingPath("", 3).empty());
}

}  // namespace bridgecast::client
