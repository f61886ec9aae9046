// The real node and real points over WSS and DTLS-SRTP on loopback.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "https_get.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kFps = 30;
const std::vector<std::string> kLightProgram = {"--video-size", "640x360", "--video-kbps", "600",
                                                "--fps", std::to_string(kFps), "--capture-stamp"};
// 67 senders and 67 receivers share the two cores of the test machine; the
// cost is per packet, so the fan-out test uses a program with few packets.
constexpr int kFanOutFps = 15;
const std::vector<std::string> kFanOutProgram = {"--video-size", "320x180", "--video-kbps", "250",
                                                 "--fps", std::to_string(kFanOutFps)};

// Frames a point should have had: every frame from its first to the end.
double ReceivedShare(const json& point, int fps) {
  const double window = point.value("receive_window_s", 0.0);
  if (window <= 0) return 0.0;
  return point["frames_received"].get<double>() / (window * fps);
}

// The other bound: no more than the program made (5% for timing), nothing
// counted twice. The window starts at the first frame out of the
// jitterbuffer, which held it up to its latency (200 ms) and then let out
// what had arrived meanwhile at once; 0.3 s allows for those.
bool NoMoreThanProduced(const json& point, int fps) {
  const double window = point.value("receive_window_s", 0.0);
  return point["frames_received"].get<double>() <= 1.05 * fps * (window + 0.3);
}

// Waits for `done`, polling every 200 ms; false on timeout.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

// The node's view of one point, from GET /api/points; empty if unreadable.
json PointStatus(const TestNode& node, const std::string& point) {
  const HttpsResponse r = HttpsGet(node.port(), "/api/points", OperatorToken(node));
  const json doc = json::parse(r.body, nullptr, false);
  if (r.status != 200 || doc.is_discarded()) return json::object();
  for (const json& p : doc["points"]) {
    if (p["point"] == point) return p;
  }
  return json::object();
}

// Resident set size of a process in KiB, from /proc; 0 if unreadable.
long ResidentKiB(pid_t pid) {
  const std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmRSS:");
  return at == std::string::npos ? 0 : std::stol(status.substr(at + 6));
}

}  // namespace

TEST_CASE("points decode the program at the configured size, and the node stops cleanly") {
  TestNode node(kLightProgram);
  REQUIRE(node.listening());
  const json links = node.links();
  for (int i : {0, 66}) {
    const std::string point = links["points"][i]["point"];
    INFO("point " << point);
    PointRun run = RunPoints(node, {"--point", point, "--duration", "6"}, seconds(40));
    INFO(run.log);
    CHECK(run.exit_status == 0);
    REQUIRE(run.report["points"].size() == 1);
    const json& r = run.report["points"][0];
    INFO(r.dump());
    CHECK(r["connected"] == true);
    CHECK(r["frames_decoded"].get<int>() > 30);
    CHECK(r["width"] == 640);
    CHECK(r["height"] == 360);
    CHECK(r["keyframes_received"].get<int>() >= 1);
    CHECK(NoMoreThanProduced(r, kFps));
    // Join time: from the WebSocket opening to the first picture decoded.
    // About 0.6 s here (docs/architecture.md); 5 s allows for a loaded box.
    REQUIRE(r["first_decoded_ms"].is_number_integer());
    CHECK(r["first_decoded_ms"].get<int>() > 0);
    CHECK(r["first_decoded_ms"].get<int>() >= r["first_frame_ms"].get<int>());
    CHECK(r["first_decoded_ms"].get<int>() < 5000);
    // The program's capture stamp read back after decoding, on one clock.
    REQUIRE(r["glass_to_glass_ms"].is_object());
    CHECK(r["glass_to_glass_ms"]["samples"].get<int>() > 30);
    CHECK(r["glass_to_glass_ms"]["p50"].get<double>() < 1000);
  }
  const auto status = node.Stop();
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("all 67 points at once each receive at least 95% of the frames") {
  TestNode node(kFanOutProgram);
  REQUIRE(node.listening());
  PointRun run = RunPoints(node, {"--count", "67", "--duration", "20"}, seconds(120));
  INFO(run.log);
  CHECK(run.exit_status == 0);
  REQUIRE(run.report["points"].size() == 67);
  int connected = 0;
  for (const json& p : run.report["points"]) {
    INFO(p.dump());
    if (p["connected"] == true) ++connected;
    CHECK(ReceivedShare(p, kFanOutFps) >= 0.95);
    CHECK(NoMoreThanProduced(p, kFanOutFps));
  }
  CHECK(connected == 67);
}

TEST_CASE("a point that freezes mid-stream does not stall the others, and the node drops it") {
  TestNode node(kLightProgram);
  REQUIRE(node.listening());
  TempDir dir;
  const std::string victim = node.links()["points"][20]["point"];
  auto frozen = StartPoints(node, {"--point", victim}, dir.path() + "/frozen.json",
                            dir.path() + "/frozen.log");
  // Its media must be up and flowing before it vanishes.
  json before;
  const bool flowing = WaitFor([&] {
    before = PointStatus(node, victim);
    return before.value("state", "") == "connected" && before.value("packets_sent", 0) > 0;
  }, seconds(30));
  INFO(before.dump() << "\n" << ReadFile(dir.path() + "/frozen.log"));
  REQUIRE(flowing);

  auto others = StartPoints(node, {"--count", "5"}, dir.path() + "/others.json",
                            dir.path() + "/others.log");
  REQUIRE(WaitFor([&] {
    for (int i = 0; i < 5; ++i) {
      if (PointStatus(node, node.links()["points"][i]["point"]).value("state", "") != "connected") {
        return false;
      }
    }
    return true;
  }, seconds(30)));

  // SIGSTOP: its sockets stay open, nothing reads them or answers on them,
  // so only the node's own timeouts can find out (no RST, no close).
  const long rss_frozen = ResidentKiB(node.process().pid());
  const auto frozen_at = std::chrono::steady_clock::now();
  frozen->Signal(SIGSTOP);
  long rss_max = rss_frozen;
  json after;
  const bool dropped = WaitFor([&] {
    rss_max = std::max(rss_max, ResidentKiB(node.process().pid()));
    after = PointStatus(node, victim);
    // absent (socket dropped), or disconnected/failed (ICE)
    return after.contains("state") && after["state"] != "connected";
  }, seconds(45));
  const double noticed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - frozen_at).count();
  frozen->Signal(SIGKILL);
  frozen->Signal(SIGCONT);
  others->Signal(SIGTERM);  // the report covers the whole freeze
  const auto status = others->Wait(seconds(30));

  WARN("node state of " << victim << " " << noticed_s << " s after the freeze: " << after.dump()
                         << "; node RSS " << rss_frozen << " KiB at the freeze, at most "
                         << rss_max << " KiB after");
  CHECK(dropped);
  // The keepalive's deadline (25 s without a pong) with slack for a loaded box.
  CHECK(noticed_s < 40);
  // Nothing backs up for the frozen point beyond its two leaky queues, its
  // RTX history and its 4 MiB signaling queue (seen: +2 MB).
  CHECK(rss_max - rss_frozen < 16 * 1024);
  INFO(ReadFile(dir.path() + "/others.log"));
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) == 0);
  const json report = json::parse(ReadFile(dir.path() + "/others.json"));
  REQUIRE(report["points"].size() == 5);
  for (const json& p : report["points"]) {
    INFO(p.dump());
    CHECK(p["connected"] == true);
    CHECK(p["attempts"] == 1);
    CHECK(ReceivedShare(p, kFps) >= 0.95);
    CHECK(NoMoreThanProduced(p, kFps));
  }
  CHECK(node.process().running());
}

}  // namespace bridgecast::test
