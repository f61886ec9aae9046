// The native point (`bridgecast point`) across a node crash: it reconnects
// to the restarted node, resumes the conference from the last event it saw
// (hello with last_seq: the missed events, no second snapshot) and gets
// media again.
#include <signal.h>

#include <catch2/catch.hpp>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;


// Runs the loop until /api/points shows `point` connected with packets sent
// (polled every 200 ms); false after `limit`.
bool WaitForMedia(const TestNode& node, const std::string& point, seconds limit) {
  const std::string token = IssueToken(node, "operator");
  auto next_poll = std::chrono::steady_clock::now();
  return RunLoopUntil(
      [&] {
        if (std::chrono::steady_clock::now() < next_poll) return false;
        next_poll += milliseconds(200);
        const HttpsResponse r = HttpsGet(node.port(), "/api/points", token);
        const json body = json::parse(r.body, nullptr, false);
        if (r.status != 200 || body.is_discarded()) return false;
        for (const json& p : body["points"]) {
          if (p["point"] != point) continue;
          return p["state"] == "connected" && p.value("packets_sent", 0) > 0;
        }
        return false;
      },
      limit);
}

}  // namespace

TEST_CASE("the native point reconnects to a restarted node and resumes from its last seq") {
  auto node = std::make_unique<TestNode>(kCheapProgram);
  REQUIRE(node->listening());
  const int port = node->port();
  const std::string point = "ha-noi";
  const std::string chair_token = IssueToken(*node, "chair");
  REQUIRE_FALSE(chair_token.empty());

  TempDir dir;
  auto points = StartPoints(*node, {"--point", point}, dir.path() + "/report.json",
                            dir.path() + "/point.log");
  {
    ClientLoop loop;
    REQUIRE(loop.context);
    REQUIRE(WaitForMedia(*node, point, seconds(20)));
    ConferenceClient chair(*loop.context, Options(*node));
    chair.Join(chair_token);
    REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
    // point.joined (1), then conference.started and recording.started (2, 3).
    REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
    node->Kill();
  }

  // Same port and state: the point's links still lead here. At start the node
  // journals the crashed point's leave (seq 4): an event the point missed.
  node = std::make_unique<TestNode>(node->root(), kCheapProgram, port);
  INFO(node->log());
  REQUIRE(node->listening());
  REQUIRE(node->port() == port);
  ClientLoop loop;
  REQUIRE(loop.context);
  CHECK(WaitForMedia(*node, point, seconds(20)));
  ConferenceClient chair(*loop.context, Options(*node));
  chair.Join(chair_token);
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  const std::uint64_t head = (*chair.Snapshot())["seq"];
  CHECK(head == 5);  // ... and its point.joined on the reconnect

  points->Signal(SIGINT);
  REQUIRE(points->Wait(seconds(15)));
  INFO(ReadFile(dir.path() + "/point.log"));
  const json report = json::parse(ReadFile(dir.path() + "/report.json"), nullptr, false);
  REQUIRE(report.contains("points"));
  REQUIRE(report["points"].size() == 1);
  const json& r = report["points"][0];
  INFO(r.dump());
  CHECK(r["attempts"] == 2);
  CHECK(r["gave_up"] == false);
  CHECK(r["frames_received"] > 0);
  // Every event exactly once, and only the first join needed a snapshot.
  CHECK(r["last_seq"] == head);
  CHECK(r["events_received"] == head);
  CHECK(r["snapshots_received"] == 1);
}

}  // namespace bridgecast::test
