// The largest conference state the domain allows (every point checked in
// with the most delegates, the longest names and titles) still reaches staff
// who join afterwards: a snapshot over the per-connection queue's 4 MiB.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "raw_websocket.hpp"
#include "test_node.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// 100 delegates, each a 200-byte name and a 400-byte title (the limits).
json MaxDelegates(int point) {
  json delegates = json::array();
  for (int i = 0; i < 100; ++i) {
    std::string name = "Đại biểu " + std::to_string(point) + "-" + std::to_string(i) + " ";
    while (name.size() < 200) name += "x";
    std::string title = "Chức vụ ";
    while (title.size() < 400) title += "y";
    delegates.push_back({{"name", name.substr(0, 200)}, {"title", title.substr(0, 400)}});
  }
  return delegates;
}

}  // namespace

TEST_CASE("staff joining a conference at its largest state get the whole snapshot") {
  TestNode node;
  REQUIRE(node.listening());
  const json links = node.links();
  ClientLoop loop;
  REQUIRE(loop.context);
  // Live, so that points may ask (the chair's client joins while the state is small).
  ConferenceClient chair(*loop.context, Options(node));
  chair.Join(IssueToken(node, "chair"));
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(20)));
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  std::vector<std::unique_ptr<ConferenceClient>> points;
  for (const json& p : links["points"]) {
    points.push_back(std::make_unique<ConferenceClient>(*loop.context, Options(node)));
    points.back()->Join(p["token"]);
  }
  REQUIRE(RunLoopUntil(
      [&] {
        for (const auto& p : points) {
          if (!p->Snapshot()) return false;
        }
        return true;
      },
      seconds(60)));
  std::vector<int> ids;
  for (size_t i = 0; i < points.size(); ++i) {
    ids.push_back(points[i]->Send(
        {{"type", "attendance.checkin"}, {"delegates", MaxDelegates(static_cast<int>(i))},
         {"headcount", 100}}));
  }
  REQUIRE(RunLoopUntil(
      [&] {
        for (size_t i = 0; i < points.size(); ++i) {
          if (!points[i]->Reply(ids[i])) return false;
        }
        return true;
      },
      seconds(60)));
  for (size_t i = 0; i < points.size(); ++i) REQUIRE(IsAck(*points[i]->Reply(ids[i])));
  // And two of the longest questions (1000 characters of 4 bytes each).
  std::string question;
  for (int i = 0; i < 1000; ++i) question += "\U0001D538";  // 𝔸
  for (int i = 0; i < 2; ++i) {
    REQUIRE(IsAck(points[i]->Call({{"type", "question.submit"}, {"text", question}})));
  }

  for (const char* role : {"chair", "operator"}) {
    INFO(role);
    auto staff = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
    REQUIRE(staff);
    REQUIRE(staff->Send({true, 1, json{{"type", "hello"}, {"token", IssueToken(node, role)}}.dump()}));
    json snapshot;
    size_t bytes = 0;
    for (int i = 0; i < 10 && snapshot.is_null(); ++i) {
      const auto frame = staff->Read(seconds(10));
      REQUIRE(frame);
      REQUIRE(frame->opcode == 1);
      const json m = json::parse(frame->payload, nullptr, false);
      if (m.is_object() && m["type"] == "snapshot") {
        snapshot = m;
        bytes = frame->payload.size();
      }
    }
    REQUIRE(snapshot.is_object());
    // Over the queue's 4 MiB, which closed every staff socket with 1008
    // before the snapshot (and after every restart: the journal replays).
    CHECK(bytes > 4u * 1024 * 1024);
    size_t checked_in = 0;
    for (const json& p : snapshot["state"]["points"]) checked_in += p.contains("checkin") && !p["checkin"].is_null();
    CHECK(checked_in == 67);
    CHECK_FALSE(staff->closed());
  }
}

}  // namespace bridgecast::test
