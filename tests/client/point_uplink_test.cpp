// The floor's uplink without the node: an offerer webrtcbin in the test asks
// what the node's uplink offer asks (video recvonly H.264 then VP8, audio
// sendrecv Opus, BUNDLE) and sends a 440 Hz mix-minus; the two are signalled
// by direct calls over loopback ICE. Judged by ffmpeg: the offerer's received
// pictures have the uplink's colour, the point's return recording the tone.
#include "client/point_uplink.hpp"

#include <gst/gst.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/client/uplink_offerer.hpp"
#include "tests/support/media_judge.hpp"
#include "tests/support/run_loop.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::client {
namespace {

using namespace std::chrono_literals;
using test::RunLoopFor;
using test::RunLoopUntil;

// The point's listener: signalling goes straight to the offerer.
class Signalling final : public PointUplink::Listener {
 public:
  explicit Signalling(test::UplinkOfferer& offerer) : offerer_(offerer) {}
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
  test::UplinkOfferer& offerer_;
};

std::string Describe(const test::UplinkOfferer& offerer, const Signalling& signalling) {
  std::string text = offerer.Describe();
  for (const std::string& e : signalling.errors) text += "\nerror: " + e;
  return text;
}

}  // namespace

TEST_CASE("the uplink answers the node's offer, sends its camera and records the mix-minus") {
  test::TempDir dir;
  const std::string video_file = dir.File("received.ts");
  const std::string return_file = dir.File("return.wav");
  test::UplinkOfferer offerer(video_file);
  Signalling signalling(offerer);
  UplinkOptions options;
  options.name = "uplink-test";
  options.colour = 0x2060c0;
  options.record_file = return_file;
  options.ice_addresses = {"127.0.0.1"};
  SECTION("on a clean line") {}
  SECTION("on a line that loses 5% of the packets") { options.loss = 0.05; }
  SECTION("playing the mix-minus as well (a fakesink without a sound device)") {
    options.play = true;
  }
  auto created = PointUplink::Create(options, signalling);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  std::unique_ptr<PointUplink> uplink = std::move(*created);
  offerer.Offer([&](const std::string& sdp) { uplink->ApplyOffer(sdp); },
                [&](int mline, const std::string& candidate) {
                  if (uplink) uplink->AddRemoteCandidate(mline, candidate);
                });

  const bool flowing = RunLoopUntil(
      [&] {
        return !signalling.errors.empty() ||
               (signalling.connected && offerer.video_packets > 100 && offerer.audio_packets > 50);
      },
      20s);
  INFO(Describe(offerer, signalling));
  REQUIRE(flowing);
  REQUIRE(signalling.errors.empty());
  CHECK(offerer.answer_sdp.find("a=sendonly") != std::string::npos);
  CHECK(offerer.answer_sdp.find("a=sendrecv") != std::string::npos);
  // The answer names the SSRCs the streams come with: the node can tell
  // them apart by the SDP.
  CHECK(offerer.answer_sdp.find("a=ssrc-group:FID " + std::to_string(offerer.video_ssrc) + " ") !=
        std::string::npos);
  CHECK(offerer.answer_sdp.find("a=ssrc:" + std::to_string(offerer.audio_ssrc) + " ") !=
        std::string::npos);
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

TEST_CASE("on a lossy line the point retransmits what the node asks for again (NACK then RTX)") {
  test::TempDir dir;
  test::UplinkOfferer offerer(dir.File("received.ts"));
  Signalling signalling(offerer);
  UplinkOptions options;
  options.name = "uplink-rtx-test";
  options.loss = 0.1;  // of RTX too
  options.ice_addresses = {"127.0.0.1"};
  auto created = PointUplink::Create(options, signalling);
  REQUIRE(created.ok());
  std::unique_ptr<PointUplink> uplink = std::move(*created);
  offerer.Offer([&](const std::string& sdp) { uplink->ApplyOffer(sdp); },
                [&](int mline, const std::string& candidate) {
                  if (uplink) uplink->AddRemoteCandidate(mline, candidate);
                });
  INFO(Describe(offerer, signalling));
  REQUIRE(RunLoopUntil([&] { return offerer.video_packets > 0; }, 20s));
  RunLoopFor(5s);
  media::GstStructurePtr stats = offerer.VideoJitterStats();
  REQUIRE(stats);
  guint64 lost = 0;
  guint64 asked = 0;
  guint64 recovered = 0;
  gst_structure_get_uint64(stats.get(), "num-lost", &lost);
  gst_structure_get_uint64(stats.get(), "rtx-count", &asked);
  gst_structure_get_uint64(stats.get(), "rtx-success-count", &recovered);
  INFO("video: " << offerer.video_packets << " packets, " << recovered << " recovered with "
                 << asked << " requests, " << lost << " lost for good");
  // 10% of ~125 packets, one RTX in ten lost as well and asked again: a
  // packet is lost for good only when the jitterbuffer gives up (200 ms).
  CHECK(recovered >= 5);
  CHECK(lost * 4 <= recovered);
  CHECK(signalling.errors.empty());
}

TEST_CASE("an uplink closed while it is still connecting goes quietly") {
  test::TempDir dir;
  for (auto wait : {0ms, 30ms, 150ms}) {
    INFO("closed " << wait.count() << " ms after the offer");
    test::UplinkOfferer offerer(dir.File("received.ts"));
    Signalling signalling(offerer);
    UplinkOptions options;
    options.name = "uplink-early-close-test";
    options.record_file = dir.File("return.wav");
    options.ice_addresses = {"127.0.0.1"};
    auto created = PointUplink::Create(options, signalling);
    REQUIRE(created.ok());
    std::unique_ptr<PointUplink> uplink = std::move(*created);
    offerer.Offer([&](const std::string& sdp) { uplink->ApplyOffer(sdp); },
                  [&](int mline, const std::string& candidate) {
                    if (uplink) uplink->AddRemoteCandidate(mline, candidate);
                  });
    RunLoopFor(wait);
    uplink.reset();
    RunLoopFor(100ms);  // what the uplink posted before it went is dropped
    CHECK(signalling.errors.empty());
  }
}

TEST_CASE("a point without a camera answers the video inactive and is still heard") {
  test::TempDir dir;
  test::UplinkOfferer offerer(dir.File("received.ts"));
  Signalling signalling(offerer);
  UplinkOptions options;
  options.name = "uplink-no-camera-test";
  options.video = false;
  options.ice_addresses = {"127.0.0.1"};
  auto created = PointUplink::Create(options, signalling);
  REQUIRE(created.ok());
  std::unique_ptr<PointUplink> uplink = std::move(*created);
  offerer.Offer([&](const std::string& sdp) { uplink->ApplyOffer(sdp); },
                [&](int mline, const std::string& candidate) {
                  if (uplink) uplink->AddRemoteCandidate(mline, candidate);
                });
  const bool heard = RunLoopUntil(
      [&] {
        return !signalling.errors.empty() || (signalling.connected && offerer.audio_packets > 50);
      },
      20s);
  INFO(Describe(offerer, signalling));
  REQUIRE(heard);
  CHECK(signalling.errors.empty());
  const std::string video_answer = offerer.answer_sdp.substr(0, offerer.answer_sdp.find("m=audio"));
  CHECK(video_answer.find("a=inactive") != std::string::npos);
  CHECK(offerer.video_packets == 0);
}

TEST_CASE("a keyframe request from the node (PLI) reaches the point's encoder") {
  test::TempDir dir;
  test::UplinkOfferer offerer(dir.File("received.ts"));
  Signalling signalling(offerer);
  UplinkOptions options;
  options.name = "uplink-pli-test";
  options.ice_addresses = {"127.0.0.1"};
  auto created = PointUplink::Create(options, signalling);
  REQUIRE(created.ok());
  std::unique_ptr<PointUplink> uplink = std::move(*created);
  offerer.Offer([&](const std::string& sdp) { uplink->ApplyOffer(sdp); },
                [&](int mline, const std::string& candidate) {
                  if (uplink) uplink->AddRemoteCandidate(mline, candidate);
                });
  INFO(offerer.Describe());
  REQUIRE(RunLoopUntil([&] { return offerer.keyframes > 0; }, 20s));
  // Without requests: one keyframe every 2 s (two in a 2 s window at most).
  // With one every 400 ms, most answered at once (RTCP timing may merge two
  // requests; 4 of 5 seen): more in the same 2 s.
  RunLoopFor(300ms);
  const int start = offerer.keyframes;
  RunLoopFor(2s);
  const int unasked = offerer.keyframes - start;
  const int before = offerer.keyframes;
  for (int i = 0; i < 5; ++i) {
    offerer.RequestKeyframe();
    RunLoopFor(400ms);
  }
  const int asked = offerer.keyframes - before;
  INFO("keyframes in 2 s: " << unasked << " unasked, " << asked << " with 5 requests");
  CHECK(unasked <= 2);
  CHECK(asked >= unasked + 2);
  CHECK(signalling.errors.empty());
}

TEST_CASE("each time the floor comes back, its return recording gets its own file") {
  CHECK(ReturnRecordingPath("/tmp/return.wav", 1) == "/tmp/return.wav");
  CHECK(ReturnRecordingPath("/tmp/return.wav", 2) == "/tmp/return-2.wav");
  CHECK(ReturnRecordingPath("return.wav", 5) == "return-5.wav");
  CHECK(ReturnRecordingPath("return", 3) == "return-3");
  CHECK(ReturnRecordingPath("", 3).empty());
}

}  // namespace bridgecast::client
