#include "media/webrtc_point_session.hpp"

#include <array>
#include <atomic>
#include <catch2/catch.hpp>

#include "media_test_util.hpp"

namespace bridgecast::media {
namespace {

struct RecordingListener final : PointSession::Listener {
  void OnLocalOffer(const std::string& sdp) override { offer = sdp; }
  void OnLocalCandidate(unsigned, const std::string& c) override { candidates.push_back(c); }
  void OnLinkStateChanged(LinkState s) override { state = s; }
  std::string offer;
  std::vector<std::string> candidates;
  LinkState state = LinkState::kNew;
};

}  // namespace

TEST_CASE("a point session offers send-only H.264 with NACK/RTX and Opus on loopback ICE") {
  test::TestProgram program;
  REQUIRE(program.Start());
  RecordingListener listener;
  auto session = WebRtcPointSession::Create(*program, IceConfig{{"127.0.0.1"}, ""}, listener, "t1");
  INFO((session.ok() ? "" : session.error().message));
  REQUIRE(session.ok());

  REQUIRE(test::RunLoopUntil([&] { return !listener.offer.empty(); }, std::chrono::seconds(5)));
  const std::string& sdp = listener.offer;
  CHECK_THAT(sdp, Catch::Contains("H264/90000"));
  CHECK_THAT(sdp, Catch::Contains("OPUS/48000"));
  CHECK_THAT(sdp, Catch::Contains("a=sendonly"));
  CHECK_THAT(sdp, Catch::Contains("nack"));
  CHECK_THAT(sdp, Catch::Contains("rtx/90000"));
  CHECK_THAT(sdp, Catch::Contains("a=group:BUNDLE"));

  test::RunLoopUntil([&] { return !listener.candidates.empty(); }, std::chrono::seconds(3));
  REQUIRE_FALSE(listener.candidates.empty());
  for (const std::string& c : listener.candidates) {
    INFO(c);
    CHECK_THAT(c, Catch::Contains("127.0.0.1"));
  }

  SECTION("answers that are not SDP are refused") {
    for (const char* bad : {"", "hello", "v=0\r\n"}) {
      auto s = (*session)->SetRemoteAnswer(bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().code == "bad_sdp");
    }
  }
  SECTION("bad candidates are refused") {
    CHECK((*session)->AddRemoteCandidate(2, "candidate:1").error().code == "bad_candidate");
    CHECK((*session)->AddRemoteCandidate(0, "rm -rf /").error().code == "bad_candidate");
    CHECK((*session)->AddRemoteCandidate(0, "candidate:1\n2").error().code == "bad_candidate");
    CHECK((*session)->AddRemoteCandidate(0, "").ok());
  }
}

TEST_CASE("nothing queues up for a point before its link is up") {
  // Packets entering each queue (video, audio); declared first, so they
  // outlive the program's streaming threads that count them.
  std::array<std::atomic<int>, 2> entered{};
  test::TestProgram program;
  REQUIRE(program.Start());
  RecordingListener listener;
  auto session = WebRtcPointSession::Create(*program, IceConfig{{"127.0.0.1"}, ""}, listener, "g1");
  REQUIRE(session.ok());
  REQUIRE(test::RunLoopUntil([&] { return !listener.offer.empty(); }, std::chrono::seconds(5)));
  std::array<GstElementPtr, 2> queues;
  for (size_t i = 0; i < queues.size(); ++i) {
    queues[i].reset(gst_bin_get_by_name(GST_BIN(program->pipeline()), i ? "aqueue-g1" : "vqueue-g1"));
    REQUIRE(queues[i]);
    GstPadPtr sink(gst_element_get_static_pad(queues[i].get(), "sink"));
    // The payloader pushes a picture's packets as one buffer list.
    gst_pad_add_probe(
        sink.get(), GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad*, GstPadProbeInfo* info, gpointer count) {
          const bool list = GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST;
          *static_cast<std::atomic<int>*>(count) +=
              list ? static_cast<int>(gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info)))
                   : 1;
          return GST_PAD_PROBE_OK;
        },
        &entered[i], nullptr);
  }
  // A small level says nothing unless media flowed: a queue that held its
  // packets would show every one of these (both hold far more).
  REQUIRE(test::RunLoopUntil([&] { return entered[0] >= 64 && entered[1] >= 64; },
                             std::chrono::seconds(10)));
  for (size_t i = 0; i < queues.size(); ++i) {
    guint level = 0;
    g_object_get(queues[i].get(), "current-level-buffers", &level, nullptr);
    INFO(GST_OBJECT_NAME(queues[i].get()) << ": " << entered[i] << " packets in, " << level
                                          << " queued");
    // A picture's packets arrive in one burst: a few may be caught in
    // passing, never a backlog.
    CHECK(level * 4 <= static_cast<guint>(entered[i]));
  }
  CHECK(listener.state != LinkState::kConnected);
}

TEST_CASE("removing a point session leaves the program flowing to others") {
  test::TestProgram program;
  test::RtpCounter other(*program, program->video_tee());
  REQUIRE(program.Start());
  for (int round = 0; round < 3; ++round) {
    RecordingListener listener;
    auto session =
        WebRtcPointSession::Create(*program, IceConfig{{"127.0.0.1"}, ""}, listener,
                                   "r" + std::to_string(round));
    INFO((session.ok() ? "" : session.error().message));
    REQUIRE(session.ok());
    test::RunLoopUntil([&] { return !listener.offer.empty(); }, std::chrono::seconds(5));
    session->reset();
  }
  const int before = other.packets();
  test::RunLoopFor(std::chrono::milliseconds(1000));
  CHECK(other.packets() > before + 10);
  CHECK(program.listener.errors.empty());
}

}  // namespace bridgecast::media
