#include <catch2/catch.hpp>

#include "agenda/command_json.hpp"
#include "agenda/conference_spec_json.hpp"
#include "agenda/event_json.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

std::string CodeOf(std::string_view text) {
  auto parsed = ParseCommand(text);
  return parsed ? "ok" : parsed.error().code;
}

}  // namespace

TEST_CASE("every command survives ToJson and ParseCommand") {
  const std::vector<Command> all = {
      cmd::StartConference{},
      cmd::EndConference{},
      cmd::ResetConference{},
      cmd::StartAgenda{},
      cmd::NextItem{},
      cmd::GotoItem{"qd-124"},
      cmd::EndItem{},
      cmd::CheckIn{"ha-noi", {{"Phạm Văn Hậu", "Phó Bí thư"}, {"Lâm Đông", ""}}, 12},
      cmd::CheckIn{"", {}, 0},
      cmd::JoinPoint{"ha-noi"},
      cmd::LeavePoint{"ha-noi"},
      cmd::RaiseHand{},
      cmd::LowerHand{},
      cmd::LowerHand{"da-nang"},
      cmd::SubmitQuestion{"Hỏi?\nDòng hai", "trao-doi"},
      cmd::SubmitQuestion{"Hỏi", ""},
      cmd::ApproveQuestion{3},
      cmd::AnswerQuestion{4},
      cmd::RejectQuestion{5, "Trùng lặp"},
      cmd::GrantFloor{"ha-noi"},
      cmd::RevokeFloor{},
      cmd::StartRecording{},
      cmd::StopRecording{},
      cmd::FailRecording{"archive: No space left on device"},
      cmd::SelectSource{"hall"}};
  for (const Command& command : all) {
    const std::string text = ToJson(command).dump();
    INFO(text);
    auto parsed = ParseCommand(text);
    REQUIRE(parsed);
    CHECK(*parsed == command);
  }
}

TEST_CASE("ParseCommand reads the documented JSON") {
  auto checkin = ParseCommand(
      R"({"type":"attendance.checkin","point":"ha-noi","delegates":[{"name":"Lâm Đông","title":"UVTV"},{"name":"Hậu"}],"headcount":12})");
  REQUIRE(checkin);
  const auto& c = std::get<cmd::CheckIn>(*checkin);
  CHECK(c.point == "ha-noi");
  CHECK(c.delegates == std::vector<Person>{{"Lâm Đông", "UVTV"}, {"Hậu", ""}});
  CHECK(c.headcount == 12);
  auto question = ParseCommand(R"({"type":"question.approve","question":3})");
  REQUIRE(question);
  CHECK(std::get<cmd::ApproveQuestion>(*question).question == 3);
  CHECK(CodeOf(R"({"type":"agenda.next"})") == "ok");
  CHECK(CodeOf(R"({"type":"conference.reset"})") == "ok");
  CHECK(CodeOf(R"({"type":"question.submit","text":"Hỏi","item":"trao-doi"})") == "ok");
}

TEST_CASE("ParseCommand refuses anything else with bad_command") {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "\"agenda.next\"",
      "{}",
      R"({"type":7})",
      R"({"type":"agenda.jump"})",
      R"({"type":"agenda.next","extra":1})",
      R"({"type":"conference.reset","rehearsal":1})",
      R"({"type":"agenda.goto"})",
      R"({"type":"agenda.goto","item":5})",
      R"({"type":"attendance.checkin","delegates":{},"headcount":1})",
      R"({"type":"attendance.checkin","delegates":[],"headcount":-1})",
      R"({"type":"attendance.checkin","delegates":[],"headcount":1.5})",
      R"({"type":"attendance.checkin","delegates":[],"headcount":"3"})",
      R"({"type":"attendance.checkin","delegates":[],"headcount":18446744073709551615})",
      R"({"type":"attendance.checkin","delegates":[{"title":"x"}],"headcount":1})",
      R"({"type":"attendance.checkin","delegates":[{"name":"x","age":3}],"headcount":1})",
      R"({"type":"attendance.checkin","delegates":["x"],"headcount":1})",
      R"({"type":"question.approve","question":0})",
      R"({"type":"question.approve","question":-3})",
      R"({"type":"question.reject","question":3})",
      R"({"type":"floor.grant","point":null})",
      "{\"type\":\"question.submit\",\"text\":\"H\xFF\"}",  // invalid UTF-8
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK(CodeOf(text) == errc::kBadCommand);
  }
  std::string huge =
      R"({"type":"question.submit","text":")" + std::string(kMaxCommandBytes, 'a') + "\"}";
  CHECK(CodeOf(huge) == errc::kBadCommand);
}

TEST_CASE("events survive ToJson and EventFromJson") {
  const Timestamp at = FromUnixMillis(1700096400123);
  const std::vector<EventPayload> all = {
      ev::ConferenceStarted{},
      ev::ConferenceEnded{},
      ev::ConferenceReset{2},
      ev::ItemStarted{"khai-mac"},
      ev::ItemEnded{"khai-mac"},
      ev::CheckedIn{"soc-trang", {{"Phạm Văn Hậu", "Phó Bí thư"}}, 12},
      ev::PointJoined{"ha-noi"},
      ev::PointLeft{"ha-noi"},
      ev::HandRaised{"ha-noi"},
      ev::HandLowered{"ha-noi", "granted"},
      ev::QuestionSubmitted{1, "ha-noi", "trao-doi", "Hỏi?"},
      ev::QuestionSubmitted{2, "ha-noi", "", "Hỏi"},
      ev::QuestionApproved{1, "ha-noi"},
      ev::QuestionAnswered{1, "ha-noi"},
      ev::QuestionRejected{2, "ha-noi", "Trùng lặp"},
      ev::FloorGranted{"da-nang"},
      ev::FloorRevoked{"da-nang", "disconnected"},
      ev::RecordingStarted{},
      ev::RecordingStopped{"stopped", ""},
      ev::RecordingStopped{"failed", "archive: No space left on device"},
      ev::SourceSelected{"cam-2"}};
  std::uint64_t seq = 0;
  for (const EventPayload& payload : all) {
    const Event event{++seq, at, payload};
    const json j = ToJson(event);
    INFO(j.dump());
    CHECK(j["type"] == event.type());
    CHECK(j["at"] == 1700096400123);
    auto back = EventFromJson(j);
    REQUIRE(back);
    CHECK(*back == event);
  }
  CHECK(ToJson(Event{1, at, ev::FloorGranted{"ha-noi"}}) ==
        json::parse(R"({"seq":1,"at":1700096400123,"type":"floor.granted","point":"ha-noi"})"));
  CHECK(ToJson(Event{9, at, ev::ConferenceReset{1}}) ==
        json::parse(R"({"seq":9,"at":1700096400123,"type":"conference.reset","rehearsal":1})"));
}

TEST_CASE("EventFromJson refuses unknown and malformed events with bad_event") {
  for (const char* text : {R"({"seq":1,"at":0,"type":"floor.stolen","point":"x"})",
                           R"({"seq":1,"at":0,"type":"floor.granted"})",
                           R"({"seq":0,"at":0,"type":"conference.started"})",
                           R"({"seq":1,"type":"conference.started"})",
                           R"({"seq":1,"at":0,"type":"conference.started","x":1})",
                           R"({"seq":1,"at":0,"type":"conference.reset"})",
                           R"({"seq":1,"at":0,"type":"conference.reset","rehearsal":0})",
                           R"({"seq":1,"at":0,"type":"conference.reset","rehearsal":"1"})"}) {
    INFO(text);
    auto e = EventFromJson(json::parse(text));
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::kBadEvent);
  }
}

TEST_CASE("the reference conference survives the spec codec") {
  const ConferenceSpec spec = test::ReferenceConference();
  CHECK(spec.points.size() == 67);
  CHECK(spec.agenda.size() == 7);
  CHECK(spec.agenda[4].questions_open);
  const BridgePointSpec* soc_trang = spec.FindPoint("soc-trang");
  REQUIRE(soc_trang);
  CHECK(soc_trang->expected_delegates.at(0).name == "Phạm Văn Hậu");
  auto again = ConferenceSpecFromJson(ToJson(spec));
  REQUIRE(again);
  CHECK(*again == spec);

  json broken = ToJson(spec);
  broken["bridge_points"][3]["id"] = "Da Nang";
  auto refused = ConferenceSpecFromJson(broken);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "bad_conference");
}

TEST_CASE("a conference's planned start is an instant with its UTC offset") {
  json file = ToJson(test::ReferenceConference());
  CHECK_FALSE(file.contains("start"));  // optional
  file["start"] = "2023-11-16T08:00+07:00";
  auto spec = ConferenceSpecFromJson(file);
  REQUIRE(spec);
  REQUIRE(spec->planned_start);
  CHECK(ToUnixMillis(*spec->planned_start) == 1700096400000);  // 01:00 UTC
  // Through the journal's copy of the spec and back.
  auto again = ConferenceSpecFromJson(ToJson(*spec));
  REQUIRE(again);
  CHECK(*again == *spec);
  for (const char* bad : {"2023-11-16T08:00", "2023-11-16 08:00+07:00", "2023-02-30T08:00Z",
                          "2023-11-16T24:00Z", "2023-11-16T08:00+7", "tomorrow", ""}) {
    INFO(bad);
    file["start"] = bad;
    auto refused = ConferenceSpecFromJson(file);
    if (std::string(bad).empty()) {
      CHECK(refused);  // empty means none
    } else {
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == "bad_conference");
    }
  }
  CHECK(ParseIso8601("2023-11-16T01:00:00.250Z") == FromUnixMillis(1700096400250));
  CHECK(ParseIso8601("2023-11-15T20:30-04:30") == FromUnixMillis(1700096400000));
}

}  // namespace bridgecast::agenda
