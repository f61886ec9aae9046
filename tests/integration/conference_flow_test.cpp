// The conference over real WebSockets: a chair and 67 signaling-only points
// run an agenda, check in, raise a hand, ask, take the floor; and the journal
// survives a SIGKILL of the node.
#include <gst/gst.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// The reference conference's point with named delegates, and their names.
constexpr const char* kNamedPoint = "soc-trang";
const json kNamedDelegates = {
    {{"name", "Phạm Văn Hậu"}, {"title", "Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh"}},
    {{"name", "Lâm Đông"}, {"title", "UVTV Tỉnh ủy, Trưởng Ban Tổ chức Tỉnh ủy"}}};

std::function<bool(const json&)> EventIs(std::string type, std::string point = "") {
  return [type = std::move(type), point = std::move(point)](const json& e) {
    return e["type"] == type && (point.empty() || e.value("point", "") == point);
  };
}

// Events with seq > after must be exactly after+1 ... last, in order.
bool Contiguous(const std::vector<json>& events, std::uint64_t after, std::uint64_t last) {
  std::uint64_t expected = after + 1;
  for (const json& e : events) {
    if (e["seq"].get<std::uint64_t>() <= after) continue;
    if (e["seq"] != expected) return false;
    ++expected;
  }
  return expected == last + 1;
}

}  // namespace

TEST_CASE("a chair runs the conference for 67 points over WebSockets") {
  TestNode node(kCheapProgram);
  REQUIRE(node.listening());
  const json links = node.links();
  REQUIRE(links["points"].size() == 67);
  const std::string conference = links["conference"]["id"];
  const std::string chair_token = IssueToken(node, "chair");
  REQUIRE_FALSE(chair_token.empty());
  ClientLoop loop;
  REQUIRE(loop.context);

  ConferenceClient chair(*loop.context, Options(node));
  chair.Join(chair_token);
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  CHECK((*chair.Snapshot())["state"]["phase"] == "scheduled");

  std::vector<std::unique_ptr<ConferenceClient>> points;
  std::map<std::string, ConferenceClient*> by_id;
  for (const json& p : links["points"]) {
    points.push_back(std::make_unique<ConferenceClient>(*loop.context, Options(node)));
    points.back()->Join(p["token"]);
    by_id[p["point"]] = points.back().get();
  }
  REQUIRE(RunLoopUntil(
      [&] {
        for (const auto& p : points) {
          if (!p->Snapshot()) return false;
        }
        return true;
      },
      seconds(60)));
  CHECK(points[0]->messages().front()["role"] == "point");
  // The chair saw every point arrive.
  REQUIRE(RunLoopUntil(
      [&] {
        size_t joined = 0;
        for (const json& e : chair.Events()) joined += e["type"] == "point.joined";
        return joined == 67;
      },
      seconds(30)));

  // Start, then agenda.next reaches every point.
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  REQUIRE(IsAck(chair.Call({{"type", "agenda.start"}})));
  const json next = chair.Call({{"type", "agenda.next"}});
  REQUIRE(IsAck(next));
  const auto reached = [&](const json& e) {
    return e["type"] == "agenda.item_started" && e["item"] == "qd-124" && e["seq"] == next["seq"];
  };
  CHECK(RunLoopUntil(
      [&] {
        for (const auto& p : points) {
          if (!p->HasEvent(reached)) return false;
        }
        return true;
      },
      seconds(20)));

  // Every point checks in; soc-trang with its Vietnamese names.
  std::vector<std::pair<ConferenceClient*, int>> checkins;
  int n = 0;
  for (const json& p : links["points"]) {
    const std::string id = p["point"];
    const json delegates = id == kNamedPoint ? kNamedDelegates
                                             : json::array({{{"name", "Đại biểu " + id}}});
    checkins.emplace_back(by_id[id], by_id[id]->Send({{"type", "attendance.checkin"},
                                                      {"delegates", delegates},
                                                      {"headcount", 10 + n++}}));
  }
  REQUIRE(RunLoopUntil(
      [&] {
        for (auto [client, id] : checkins) {
          if (!client->Reply(id)) return false;
        }
        return true;
      },
      seconds(30)));
  for (auto [client, id] : checkins) CHECK(IsAck(*client->Reply(id)));
  REQUIRE(RunLoopUntil(
      [&] {
        size_t checked = 0;
        for (const json& e : chair.Events()) checked += e["type"] == "attendance.checked_in";
        return checked == 67;
      },
      seconds(20)));
  CHECK(chair.HasEvent([&](const json& e) {
    return e["type"] == "attendance.checked_in" && e["point"] == kNamedPoint &&
           e["delegates"] == kNamedDelegates;
  }));

  // Hand, question, answer, floor.
  ConferenceClient& asker = *by_id["ha-noi"];
  ConferenceClient& other = *by_id["hai-phong"];
  REQUIRE(IsAck(asker.Call({{"type", "hand.raise"}})));
  const json submitted =
      asker.Call({{"type", "question.submit"}, {"text", "Đề nghị làm rõ Điều 5 Quy định 124?"}});
  REQUIRE(IsAck(submitted));
  REQUIRE(RunLoopUntil([&] { return chair.HasEvent(EventIs("question.submitted", "ha-noi")); },
               seconds(10)));
  json question;
  for (const json& e : chair.Events()) {
    if (e["type"] == "question.submitted") question = e;
  }
  CHECK(question["text"] == "Đề nghị làm rõ Điều 5 Quy định 124?");
  CHECK(question["seq"] == submitted["seq"]);
  CHECK(IsAck(chair.Call({{"type", "question.approve"}, {"question", question["question"]}})));
  CHECK(IsAck(chair.Call({{"type", "question.answer"}, {"question", question["question"]}})));
  CHECK(RunLoopUntil([&] { return asker.HasEvent(EventIs("question.answered", "ha-noi")); },
                     seconds(10)));
  const json grant = chair.Call({{"type", "floor.grant"}, {"point", "ha-noi"}});
  CHECK(IsAck(grant));
  CHECK(RunLoopUntil([&] { return other.HasEvent(EventIs("floor.granted", "ha-noi")); },
                     seconds(10)));
  CHECK(chair.HasEvent([](const json& e) {
    return e["type"] == "hand.lowered" && e["point"] == "ha-noi" && e["reason"] == "granted";
  }));
  const json revoke = chair.Call({{"type", "floor.revoke"}});
  CHECK(IsAck(revoke));
  CHECK(RunLoopUntil([&] { return other.HasEvent(EventIs("floor.revoked", "ha-noi")); },
                     seconds(10)));
  // Another point never sees ha-noi's question.
  CHECK_FALSE(other.HasEvent([](const json& e) {
    return e["type"].get<std::string>().starts_with("question.");
  }));
  // A point may not run the floor.
  CHECK(other.Call({{"type", "floor.grant"}, {"point", "hai-phong"}})["code"] == "forbidden");

  // The attendance report over HTTPS lists all 67 with their delegates.
  const HttpsResponse report = HttpsGet(node.port(), "/api/attendance.json", chair_token);
  REQUIRE(report.status == 200);
  const json attendance = json::parse(report.body, nullptr, false);
  REQUIRE(attendance["points"].size() == 67);
  for (const json& p : attendance["points"]) {
    INFO(p.dump());
    CHECK(p["headcount"].is_number());
    CHECK(p["delegates"].size() >= 1);
    CHECK(p["first_join"].is_string());
    if (p["point"] == kNamedPoint) CHECK(p["delegates"] == kNamedDelegates);
  }
  const HttpsResponse csv = HttpsGet(node.port(), "/api/attendance.csv", chair_token);
  CHECK(csv.status == 200);
  CHECK(csv.content_type == "text/csv; charset=utf-8");
  CHECK(csv.body.starts_with("\xEF\xBB\xBF"));
  CHECK(csv.body.find("Phạm Văn Hậu") != std::string::npos);
  CHECK(HttpsGet(node.port(), "/api/attendance.json", links["points"][0]["token"]).status == 403);
  CHECK(HttpsGet(node.port(), "/api/attendance.json").status == 401);

  // After a clean stop the journal holds every point's leave, and the CLI reads it.
  points.clear();
  const auto status = node.Stop();
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  const CommandRun cli = RunReport(node.state_dir(), conference, "json");
  REQUIRE(cli.exit_status == 0);
  const json offline = json::parse(cli.out, nullptr, false);
  REQUIRE(offline["points"].size() == 67);
  for (size_t i = 0; i < 67; ++i) {
    CHECK(offline["points"][i]["delegates"] == attendance["points"][i]["delegates"]);
  }
}

TEST_CASE("no acknowledged event is lost when the node is SIGKILLed") {
  auto node = std::make_unique<TestNode>(kCheapProgram);
  REQUIRE(node->listening());
  const json links = node->links();
  const std::string chair_token = IssueToken(*node, "chair");
  REQUIRE_FALSE(chair_token.empty());
  std::uint64_t last_acked = 0;
  json before;
  std::vector<json> live_events;
  {
    ClientLoop loop;
    REQUIRE(loop.context);
    ConferenceClient chair(*loop.context, Options(*node));
    chair.Join(chair_token);
    REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
    REQUIRE((*chair.Snapshot())["seq"] == 0);  // so it sees every event live
    std::vector<std::unique_ptr<ConferenceClient>> points;
    for (int i = 0; i < 4; ++i) {
      points.push_back(std::make_unique<ConferenceClient>(*loop.context, Options(*node)));
      points.back()->Join(links["points"][i]["token"]);
    }
    REQUIRE(RunLoopUntil(
        [&] {
          size_t joined = 0;
          for (const json& e : chair.Events()) joined += e["type"] == "point.joined";
          return joined == 4;
        },
        seconds(30)));
    auto ok = [&](ConferenceClient& client, const json& command) {
      const json reply = client.Call(command);
      INFO(command.dump() << " -> " << reply.dump());
      REQUIRE(IsAck(reply));
      last_acked = std::max(last_acked, reply["seq"].get<std::uint64_t>());
    };
    ok(chair, {{"type", "conference.start"}});
    ok(chair, {{"type", "agenda.start"}});
    ok(chair, {{"type", "agenda.next"}});
    for (int i = 0; i < 4; ++i) {
      ok(*points[i], {{"type", "attendance.checkin"},
                      {"delegates", {{{"name", "Nguyễn Thị Ánh " + std::to_string(i)}}}},
                      {"headcount", 5 + i}});
    }
    ok(*points[1], {{"type", "hand.raise"}});
    ok(*points[2], {{"type", "question.submit"}, {"text", "Câu hỏi trước sự cố?"}});
    ok(*points[3], {{"type", "hand.raise"}});
    ok(chair, {{"type", "floor.grant"}, {"point", links["points"][3]["point"]}});

    ConferenceClient second(*loop.context, Options(*node));
    second.Join(chair_token);
    REQUIRE(RunLoopUntil([&] { return second.Snapshot() != nullptr; }, seconds(10)));
    before = *second.Snapshot();
    CHECK(before["seq"] == last_acked);
    REQUIRE(RunLoopUntil([&] { return chair.Events().size() >= last_acked; }, seconds(10)));
    live_events = chair.Events();

    node->Kill();
    CHECK(RunLoopUntil([&] { return chair.closed(); }, seconds(30)));
  }

  const auto root = node->root();
  node = std::make_unique<TestNode>(root, kCheapProgram);
  INFO(node->log());
  REQUIRE(node->listening());
  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(*node));
  chair.Join(chair_token);  // the token key survived too
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  const json after = *chair.Snapshot();
  const json& a = after["state"];
  const json& b = before["state"];
  CHECK(after["seq"].get<std::uint64_t>() >= last_acked);

  // Agenda position, attendance and questions are exactly as acknowledged.
  CHECK(a["phase"] == "live");
  CHECK(a["started_at"] == b["started_at"]);
  CHECK(a["agenda"] == b["agenda"]);
  CHECK(a["current"]["item"] == "qd-124");
  CHECK(a["current"]["since"] == b["current"]["since"]);
  CHECK(a["questions"] == b["questions"]);
  REQUIRE(a["points"].size() == b["points"].size());
  for (size_t i = 0; i < a["points"].size(); ++i) {
    CHECK(a["points"][i]["checkin"] == b["points"][i]["checkin"]);
    CHECK(a["points"][i]["connected"] == false);  // the kill dropped them
  }
  // Hands and floor were held by points the kill disconnected: the restarted
  // node journals their leave, which lowers the hand and ends the floor.
  CHECK(b["hands"].size() == 1);
  CHECK(b["floor"]["point"] == links["points"][3]["point"]);
  CHECK(a["hands"].empty());
  CHECK(a["floor"].is_null());

  // Resuming from the last acknowledged seq: no gap, and only those leaves follow.
  ConferenceClient resumed(*loop.context, Options(*node));
  resumed.Join(chair_token, last_acked);
  const std::uint64_t head = after["seq"];
  REQUIRE(RunLoopUntil([&] { return resumed.Events().size() == head - last_acked; }, seconds(10)));
  CHECK(resumed.Snapshot() == nullptr);
  CHECK(Contiguous(resumed.Events(), last_acked, head));
  std::map<std::string, int> cleanup;
  for (const json& e : resumed.Events()) {
    INFO(e.dump());
    const std::string type = e["type"];
    ++cleanup[type];
    if (type != "point.left") CHECK(e["reason"] == "disconnected");
  }
  CHECK(cleanup == std::map<std::string, int>{
                       {"point.left", 4}, {"hand.lowered", 1}, {"floor.revoked", 1}});

  // And from 0: the journal replays exactly what was sent live before the kill.
  ConferenceClient replay(*loop.context, Options(*node));
  replay.Join(chair_token, 0);
  REQUIRE(RunLoopUntil([&] { return replay.Events().size() == head; }, seconds(10)));
  const std::vector<json> replayed = replay.Events();
  CHECK(Contiguous(replayed, 0, head));
  REQUIRE(live_events.size() >= last_acked);
  const auto acked = static_cast<std::ptrdiff_t>(last_acked);
  CHECK(std::vector<json>(replayed.begin(), replayed.begin() + acked) ==
        std::vector<json>(live_events.begin(), live_events.begin() + acked));
}

}  // namespace bridgecast::test
