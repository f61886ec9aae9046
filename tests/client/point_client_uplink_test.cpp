// The floor granted and revoked six times in one run of a point: PointClient
// with a stand-in for the node's signaling that relays the uplink to an
// in-process offerer, a new one per grant.
#include <catch2/catch.hpp>
#include <filesystem>

#include "client/point_client.hpp"
#include "client/ws_context.hpp"
#include "tests/client/uplink_offerer.hpp"
#include "tests/support/media_judge.hpp"
#include "tests/support/run_loop.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::client {
namespace {

using namespace std::chrono_literals;
using test::RunLoopFor;
using test::RunLoopUntil;

// The node's side as the point sees it: opens at once, never offers the
// program, passes the uplink's answer and candidates to `offerer`.
class StandInSignaling final : public PointSignaling {
 public:
  explicit StandInSignaling(Listener& listener) : listener_(listener) {}

  void Connect() override {
    open_ = true;
    media::PostIfAlive(lifetime_.Watch(), [this] { listener_.OnSignalingOpen(); });
  }
  void SendAnswer(std::string_view) override {}
  void SendCandidate(int, std::string_view) override {}
  void SendUplinkAnswer(std::string_view sdp) override {
    if (offerer) offerer->Answer(std::string(sdp));
  }
  void SendUplinkCandidate(int mline, std::string_view candidate) override {
    if (offerer && !candidate.empty()) offerer->AddCandidate(mline, std::string(candidate));
  }
  void Close() override {
    open_ = false;
    media::PostIfAlive(lifetime_.Watch(), [this] { listener_.OnSignalingClosed("closed", true); });
  }
  bool open() const override { return open_; }

  Listener& listener() { return listener_; }
  test::UplinkOfferer* offerer = nullptr;

 private:
  Listener& listener_;
  bool open_ = false;
  media::Lifetime lifetime_;
};

class IdleFlag final : public PointClient::Listener {
 public:
  void OnPointIdle(PointClient&) override { idle = true; }
  bool idle = false;
};

}  // namespace

TEST_CASE("the floor comes and goes six times, each grant with its own return file") {
  gst_init(nullptr, nullptr);
  test::TempDir dir;
  std::unique_ptr<GMainLoop, decltype(&g_main_loop_unref)> loop(g_main_loop_new(nullptr, FALSE),
                                                                &g_main_loop_unref);
  auto context = WsContext::Create(loop.get());
  REQUIRE(context.ok());

  StandInSignaling* signaling = nullptr;
  PointClientConfig config;
  config.point = "uplink-point";
  config.receiver.name = "uplink-point";
  config.receiver.ice_addresses = {"127.0.0.1"};
  config.uplink.name = "uplink-point";
  config.uplink.record_file = dir.File("return.wav");
  config.uplink.ice_addresses = {"127.0.0.1"};
  config.connect_timeout = 10min;  // the program is never offered here
  config.signaling = [&signaling](WsContext&, PointSignaling::Listener& listener) {
    auto made = std::make_unique<StandInSignaling>(listener);
    signaling = made.get();
    return made;
  };
  SteadyClock clock;
  IdleFlag idle;
  PointClient point(**context, std::move(config), clock, idle);
  point.Start();
  REQUIRE(RunLoopUntil([&] { return signaling != nullptr; }, 5s));

  // Five grants revoked, then a sixth still held when the point stops.
  constexpr int kCycles = 6;
  for (int cycle = 1; cycle <= kCycles; ++cycle) {
    INFO("cycle " << cycle);
    test::UplinkOfferer offerer(dir.File("received-" + std::to_string(cycle) + ".ts"));
    signaling->offerer = &offerer;
    offerer.Offer([&](const std::string& sdp) { signaling->listener().OnUplinkOffer(sdp); },
                  [&](int mline, const std::string& candidate) {
                    signaling->listener().OnUplinkCandidate(mline, candidate);
                  });
    const bool flowing =
        RunLoopUntil([&] { return offerer.video_packets > 25 && offerer.audio_packets > 25; }, 15s);
    INFO(offerer.Describe());
    REQUIRE(flowing);
    RunLoopFor(1500ms);  // return audio to record
    if (cycle == kCycles) {
      const PointReport report = point.Report();
      CHECK(report.uplink_offers == kCycles);
      CHECK(report.uplink_connections == kCycles);
      CHECK(report.uplink_close_reason == "revoked");
      CHECK(report.uplink_packets_sent > 100u * kCycles);
      CHECK(report.uplink_bytes_sent > report.uplink_packets_sent * 20);
      // Stopping finishes the open uplink's recording too.
      point.Stop();
      CHECK(RunLoopUntil([&] { return idle.idle; }, 5s));
    } else {
      signaling->listener().OnUplinkClose("revoked");
      RunLoopFor(100ms);  // the uplink goes in its own main-loop turn
    }
    signaling->offerer = nullptr;
  }

  for (int cycle = 1; cycle <= kCycles; ++cycle) {
    const std::string file = ReturnRecordingPath(dir.File("return.wav"), cycle);
    INFO(file);
    REQUIRE(std::filesystem::exists(file));
    auto tone = test::DominantToneHz(file);
    REQUIRE(tone.ok());
    INFO(tone->hz << " Hz over " << tone->seconds << " s; " << tone->errors);
    CHECK(tone->errors.empty());
    CHECK(tone->HasTone());
    CHECK(tone->hz == Approx(440).margin(2));
    CHECK(tone->seconds > 1);
  }
}

}  // namespace bridgecast::client
