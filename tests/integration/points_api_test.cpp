// GET /api/points and the staff's pushed `stats` with real media sessions:
// two native points receive the program, and the node's counters for them
// grow and agree with what the points say they received.
#include <signal.h>
#include <sys/wait.h>

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


json Points(const TestNode& node, const std::string& token) {
  const HttpsResponse response = HttpsGet(node.port(), "/api/points", token);
  if (response.status != 200) return {};
  const json body = json::parse(response.body, nullptr, false);
  return body.is_discarded() ? json() : body["points"];
}

// The entry of `point` in a /api/points list (null if missing).
json Entry(const json& points, const std::string& point) {
  if (points.is_array()) {
    for (const json& p : points) {
      if (p["point"] == point) return p;
    }
  }
  return {};
}

}  // namespace

TEST_CASE("/api/points counts what real sessions send, and absent points are absent") {
  TestNode node(kCheapProgram);
  REQUIRE(node.listening());
  const json links = node.links();
  const std::string token = OperatorToken(node);
  REQUIRE_FALSE(token.empty());
  // --count 2 takes the first two points of the links.
  const std::vector<std::string> joined = {links["points"][0]["point"],
                                           links["points"][1]["point"]};

  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient board(*loop.context, Options(node));
  board.Join(token);

  TempDir dir;
  auto points = StartPoints(node, {"--count", "2"}, dir.path() + "/report.json",
                            dir.path() + "/point.log");
  // Both connected, and the node has polled their stats at least once.
  json first;
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  auto flowing = [&](const json& list) {
    for (const std::string& id : joined) {
      const json p = Entry(list, id);
      if (p.is_null() || p["state"] != "connected" || p.value("packets_sent", 0) == 0) return false;
    }
    return true;
  };
  while (!flowing(first = Points(node, token)) && std::chrono::steady_clock::now() < deadline) {
    RunLoopFor(milliseconds(200));
  }
  REQUIRE(flowing(first));
  // Stats are polled every 2 s: 2.5 s apart, the second read sees a newer poll.
  RunLoopFor(milliseconds(2500));
  const json second = Points(node, token);
  REQUIRE(second.size() == links["points"].size());

  for (const json& p : second) {
    INFO(p.dump());
    if (p["point"] == joined[0] || p["point"] == joined[1]) {
      const json before = Entry(first, p["point"]);
      CHECK(p["state"] == "connected");
      CHECK(p["connected"] == true);
      CHECK(p["packets_sent"] > before["packets_sent"]);
      CHECK(p["bytes_sent"] > before["bytes_sent"]);
      // Every RTP packet has at least its 12-byte header.
      CHECK(p["bytes_sent"].get<double>() >= 12.0 * p["packets_sent"].get<double>());
    } else {
      CHECK(p["state"] == "absent");
      CHECK(p["connected"] == false);
      CHECK_FALSE(p.contains("packets_sent"));
    }
  }

  // The operator's socket got the same health pushed, with each point's rate:
  // the cheap program is 200 kbit/s of video and 64 of audio.
  json pushed;
  for (const json& m : board.messages()) {
    if (m["type"] == "stats") pushed = m;
  }
  INFO(pushed.dump());
  REQUIRE(pushed.is_object());
  CHECK(pushed["keyframe_age_ms"].get<double>() < 3000);
  for (const std::string& id : joined) {
    const json p = Entry(pushed["points"], id);
    CHECK(p["state"] == "connected");
    CHECK(p["kbps"].get<double>() > 100);
    CHECK(p["kbps"].get<double>() < 1000);
  }
  CHECK(Entry(pushed["points"], links["points"][2]["point"])["state"] == "absent");

  points->Signal(SIGINT);
  const auto status = points->Wait(seconds(15));
  REQUIRE(status);
  INFO(ReadFile(dir.path() + "/point.log"));
  const json report = json::parse(ReadFile(dir.path() + "/report.json"), nullptr, false);
  REQUIRE(report.contains("points"));
  REQUIRE(report["points"].size() == 2);
  for (const json& r : report["points"]) {
    const json sent = Entry(second, r["point"]);
    INFO(r.dump() << "\n" << sent.dump());
    REQUIRE(sent.is_object());
    // Sent: video (about one packet per frame at 200 kbit/s) and Opus (50/s),
    // as of the node's last poll, up to ~2.5 s before the points stopped.
    // Received: video frames to the stop. So about 1.5-3 packets per frame.
    const double packets = sent["packets_sent"].get<double>();
    const double frames = r["frames_received"].get<double>();
    CHECK(frames > 0);
    CHECK(packets >= 1.0 * frames);
    CHECK(packets <= 4.0 * frames);
  }
}

}  // namespace bridgecast::test
