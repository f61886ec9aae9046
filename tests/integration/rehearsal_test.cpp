// Rehearsal without burning the conference: staff practise (start, the
// agenda, a recording, a point checking in, asking and taking the floor),
// reset, then run the real conference. The real run's archive, minutes and
// attendance hold nothing of the practice, and the archive lists it.
#include <catch2/catch.hpp>
#include <regex>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

json GetJson(const TestNode& node, const std::string& path, const std::string& token) {
  const HttpsResponse response = HttpsGet(node.port(), path, token);
  INFO(path << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return json::parse(response.body, nullptr, false);
}

// Until /api/recording says `state` (for "recording": run `run`, its first segment open).
bool WaitRecorder(const TestNode& node, const std::string& token, const std::string& state,
                  unsigned run = 0) {
  return RunLoopUntil(
      [&] {
        const json s =
            json::parse(HttpsGet(node.port(), "/api/recording", token).body, nullptr, false);
        if (!s.is_object() || s["state"] != state) return false;
        return state != "recording" || (s["run"] == run && s["segment"].is_object());
      },
      seconds(10));
}

}  // namespace

TEST_CASE("a rehearsal is recorded and reset and the real run's record holds none of it") {
  TestNode node(kCheapProgram);
  REQUIRE(node.listening());
  const json links = node.links();
  const std::string conference = links["conference"]["id"];
  const std::string archive = "/api/archive/" + conference;
  const std::string chair_token = IssueToken(node, "chair");
  const std::string reviewer_token = IssueToken(node, "reviewer");
  const std::string operator_token = OperatorToken(node);
  REQUIRE_FALSE(chair_token.empty());
  REQUIRE_FALSE(reviewer_token.empty());
  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(node));
  ConferenceClient op(*loop.context, Options(node));
  ConferenceClient point(*loop.context, Options(node));
  const std::string point_id = links["points"][0]["point"];
  chair.Join(chair_token);
  op.Join(operator_token);
  point.Join(links["points"][0]["token"]);
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() && op.Snapshot() && point.Snapshot(); },
                       seconds(10)));

  // The rehearsal.
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  REQUIRE(WaitRecorder(node, operator_token, "recording", 1));
  REQUIRE(IsAck(chair.Call({{"type", "agenda.start"}})));
  REQUIRE(IsAck(point.Call({{"type", "attendance.checkin"},
                            {"delegates", {{{"name", "Người tập dượt"}}}},
                            {"headcount", 3}})));
  REQUIRE(IsAck(op.Call({{"type", "attendance.checkin"},
                         {"point", links["points"][1]["point"]},
                         {"delegates", json::array()},
                         {"headcount", 2}})));
  REQUIRE(IsAck(point.Call({{"type", "question.submit"}, {"text", "Câu hỏi tập dượt"}})));
  REQUIRE(IsAck(point.Call({{"type", "hand.raise"}})));
  REQUIRE(IsAck(chair.Call({{"type", "floor.grant"}, {"point", point_id}})));
  RunLoopFor(seconds(3));
  const json reset = op.Call({{"type", "conference.reset"}});
  REQUIRE(IsAck(reset));
  const std::uint64_t reset_seq = reset["seq"];
  const auto is_reset = [&](const json& e) {
    return e["type"] == "conference.reset" && e["seq"] == reset_seq && e["rehearsal"] == 1;
  };
  REQUIRE(RunLoopUntil([&] { return point.HasEvent(is_reset) && chair.HasEvent(is_reset); },
                       seconds(5)));
  for (const char* closed : {"agenda.item_ended", "floor.revoked", "recording.stopped"}) {
    INFO(closed);
    CHECK(point.HasEvent([&](const json& e) {
      return e["type"] == closed && e["seq"] < reset_seq &&
             (e["type"] == "agenda.item_ended" || e["reason"] == "reset");
    }));
  }
  CHECK(chair.Call({{"type", "conference.reset"}})["code"] == "not_started");

  // The real run.
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  REQUIRE(WaitRecorder(node, operator_token, "recording", 2));
  REQUIRE(IsAck(chair.Call({{"type", "agenda.start"}})));
  REQUIRE(IsAck(point.Call({{"type", "attendance.checkin"},
                            {"delegates", {{{"name", "Đại biểu thật"}}}},
                            {"headcount", 7}})));
  RunLoopFor(seconds(3));
  REQUIRE(IsAck(chair.Call({{"type", "conference.end"}})));
  REQUIRE(WaitRecorder(node, operator_token, "off"));

  const json timeline = GetJson(node, archive + "/timeline.json", reviewer_token);
  INFO(timeline.dump());
  REQUIRE(timeline["chapters"].size() == 1);
  // Media time starts with the real run, not after the rehearsal's media.
  CHECK(timeline["chapters"][0]["start_ms"].get<double>() < 1000);
  CHECK(timeline["duration_ms"].get<double>() < 5000);
  for (const json& marker : timeline["markers"]) {
    CHECK(marker["seq"].get<std::uint64_t>() > reset_seq);
  }

  const json minutes = GetJson(node, archive + "/minutes.json", reviewer_token);
  CHECK(minutes["questions"].empty());
  CHECK(minutes["floor"].empty());
  CHECK(minutes["agenda"][0]["runs"].size() == 1);
  const std::string started = minutes["attendance"]["started_at"];
  for (const json& attendance :
       {minutes["attendance"], GetJson(node, "/api/attendance.json", chair_token)}) {
    CHECK(attendance["started_at"] == started);
    const json& p = attendance["points"][0];
    CHECK(p["point"] == point_id);
    CHECK(p["headcount"] == 7);
    CHECK(p["delegates"] == json::array({{{"name", "Đại biểu thật"}, {"title", ""}}}));
    CHECK(p["first_join"].get<std::string>() < started);    // connected through the reset
    CHECK(attendance["points"][1]["headcount"].is_null());  // checked in only in the rehearsal
  }
  const std::string html = HttpsGet(node.port(), archive + "/minutes.html", reviewer_token).body;
  CHECK(html.find("tập dượt") == std::string::npos);

  const json sessions = GetJson(node, "/api/archive/sessions", reviewer_token)["sessions"];
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["runs"] == 1);
  REQUIRE(sessions[0]["rehearsals"].size() == 1);
  CHECK(sessions[0]["rehearsals"][0]["rehearsal"] == 1);
  CHECK(sessions[0]["rehearsals"][0]["segments"].get<int>() >= 1);
  CHECK(sessions[0]["rehearsals"][0]["duration_s"].get<double>() > 2);
  const std::string playlist = HttpsGet(node.port(), archive + "/index.m3u8", reviewer_token).body;
  CHECK(playlist.find("run0002-seg00000.ts") != std::string::npos);
  CHECK(playlist.find("run0001") == std::string::npos);

  // The export is the real run's too: its few seconds, one chapter.
  const CommandRun exported = RunArchive(
      node.state_dir(), {"export", conference, "--out", node.root()->path() + "/real.mp4"});
  INFO(exported.out);
  REQUIRE(exported.exit_status == 0);
  std::smatch m;
  REQUIRE(std::regex_search(exported.out, m, std::regex(R"(: ([0-9.]+) s, .*, 1 chapters)")));
  CHECK(std::stod(m[1]) < 5.0);
}

}  // namespace bridgecast::test
