// One point's link end to end in one process: the node's WebRtcPointSession
// and the native point's PointReceiver, signalled by direct calls, over
// loopback ICE. What only a live link shows: keyframe requests (PLI) and
// loss recovered by NACK and retransmission.
#include <catch2/catch.hpp>
#include <sstream>

#include "client/point_receiver.hpp"
#include "media/webrtc_point_session.hpp"
#include "media_test_util.hpp"

namespace bridgecast::media {
namespace {

using namespace std::chrono_literals;
using test::RunLoopFor;
using test::RunLoopUntil;

// Both ends, each the other's listener.
class Link final : public PointSession::Listener, public client::PointReceiver::Listener {
 public:
  Link(Program& program, client::ReceiverOptions options) {
    options.ice_addresses = {"127.0.0.1"};
    auto receiver = client::PointReceiver::Create(options, counters, clock_, *this);
    INFO((receiver.ok() ? "" : receiver.error().message));
    REQUIRE(receiver.ok());
    receiver_ = std::move(*receiver);
    auto session =
        WebRtcPointSession::Create(program, IceConfig{{"127.0.0.1"}, ""}, *this, options.name);
    INFO((session.ok() ? "" : session.error().message));
    REQUIRE(session.ok());
    session_ = std::move(*session);
  }

  client::PointReceiver& point() { return *receiver_; }
  const PointStats& node_stats() const { return session_->stats(); }

  // The node's side.
  void OnLocalOffer(const std::string& sdp) override { receiver_->ApplyOffer(sdp); }
  void OnLocalCandidate(unsigned mline, const std::string& candidate) override {
    if (!candidate.empty()) receiver_->AddRemoteCandidate(static_cast<int>(mline), candidate);
  }
  void OnLinkStateChanged(LinkState state) override { node_state = state; }

  // The point's side.
  void OnAnswer(std::string sdp) override {
    if (auto s = session_->SetRemoteAnswer(sdp); !s) errors.push_back(s.error().message);
  }
  void OnLocalCandidate(int mline, std::string candidate) override {
    if (auto s = session_->AddRemoteCandidate(static_cast<unsigned>(mline), candidate); !s) {
      errors.push_back(s.error().message);
    }
  }
  void OnMediaState(GstWebRTCPeerConnectionState) override {}
  void OnFirstFrame(TimePoint) override {}
  void OnFirstDecoded(TimePoint) override {}
  void OnMediaError(std::string reason) override { errors.push_back(reason); }

  std::shared_ptr<client::MediaCounters> counters = std::make_shared<client::MediaCounters>();
  LinkState node_state = LinkState::kNew;
  std::vector<std::string> errors;

 private:
  SteadyClock clock_;
  std::unique_ptr<client::PointReceiver> receiver_;
  std::unique_ptr<WebRtcPointSession> session_;
};

std::string Describe(const Link& link) {
  std::ostringstream out;
  out << "frames " << link.counters->frames << ", keyframes " << link.counters->keyframes
      << ", dropped " << link.counters->dropped << ", node: nacks "
      << link.node_stats().nacks_received << ", plis " << link.node_stats().plis_received
      << ", packets sent " << link.node_stats().packets_sent;
  for (const std::string& e : link.errors) out << "\nerror: " << e;
  return out.str();
}

}  // namespace

TEST_CASE("a point's keyframe request (PLI) reaches the encoder and a keyframe follows") {
  ProgramConfig config = test::SmallProgram();
  // No regular keyframe while the test runs: any keyframe is one asked for.
  config.keyframe_interval = 60s;
  test::TestProgram program(config);
  REQUIRE(program.Start());
  Link link(*program, {.name = "pli"});
  // Connecting asks for one keyframe; wait for it, as a joining point does.
  const bool joined = RunLoopUntil([&] { return link.counters->keyframes >= 1; }, 15s);
  INFO(Describe(link));
  REQUIRE(joined);
  CHECK(link.node_state == LinkState::kConnected);

  const KeyframeThrottle& throttle = program->keyframe_throttle();
  const int requests = throttle.requests();
  const uint64_t keyframes = link.counters->keyframes;
  const auto asked = std::chrono::steady_clock::now();
  link.point().RequestKeyframe();
  // The throttle answers at once or at the end of its 500 ms gap.
  const bool answered = RunLoopUntil([&] { return link.counters->keyframes > keyframes; }, 2s);
  INFO(Describe(link));
  REQUIRE(answered);
  const auto waited = std::chrono::steady_clock::now() - asked;
  WARN("keyframe " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                   << " ms after the PLI");
  CHECK(throttle.requests() > requests);
  CHECK(link.counters->keyframes == keyframes + 1);

  // A burst of requests costs at most one keyframe per 500 ms gap.
  const int sent_before = throttle.keyframes();
  for (int i = 0; i < 10; ++i) {
    link.point().RequestKeyframe();
    RunLoopFor(50ms);
  }
  RunLoopFor(600ms);  // lets the one the burst scheduled go out
  const int burst_keyframes = throttle.keyframes() - sent_before;
  INFO("the burst made " << burst_keyframes << " keyframes from "
                         << throttle.requests() - requests - 1 << " requests");
  CHECK(burst_keyframes >= 1);
  CHECK(burst_keyframes <= 3);
  // The node's stats, polled every 2 s, count the PLIs it received.
  const bool counted = RunLoopUntil([&] { return link.node_stats().plis_received >= 2; }, 3s);
  INFO(Describe(link));
  CHECK(counted);
  CHECK(link.errors.empty());
}

TEST_CASE("NACK and retransmission recover video packets lost on the way to a point") {
  const ProgramConfig config = test::SmallProgram();
  test::TestProgram program(config);
  REQUIRE(program.Start());
  // parse = false counts a frame only with no sequence gap after the jitter
  // buffer: a dropped packet that was not retransmitted costs its frame.
  Link link(*program, {.name = "nack", .parse = false, .drop_video_every = 10});
  REQUIRE(RunLoopUntil([&] { return link.counters->frames >= 1; }, 15s));
  const uint64_t frames = link.counters->frames;
  const uint64_t dropped = link.counters->dropped;
  const auto from = std::chrono::steady_clock::now();
  RunLoopUntil([&] { return link.counters->dropped >= dropped + 30; }, 10s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
  const double expected = seconds * config.fps;
  const double received = static_cast<double>(link.counters->frames - frames);
  INFO(received << " frames in " << seconds << " s, " << expected << " expected");
  // One video packet in ten: without retransmission a quarter of the frames
  // or more would miss a packet.
  INFO(Describe(link));
  REQUIRE(link.counters->dropped >= dropped + 30);
  CHECK(received >= 0.95 * expected);
  CHECK(received <= 1.05 * expected);
  const bool nacked = RunLoopUntil([&] { return link.node_stats().nacks_received > 0; }, 3s);
  INFO(Describe(link));
  CHECK(nacked);
  CHECK(link.errors.empty());
}

}  // namespace bridgecast::media
