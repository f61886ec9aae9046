#include "agenda/conference.hpp"

#include <catch2/catch.hpp>

#include "agenda/conference_view.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;
using test::Harness;

// "Hậu" with the circumflex and the dot below as combining marks (NFD).
const std::string kHauDecomposed = "Ha\xCC\xA3\xCC\x82u";
const std::string kHauComposed = "H\xE1\xBA\xADu";  // U+1EAD

template <typename T>
const T& Payload(const Event& e) {
  REQUIRE(std::holds_alternative<T>(e.payload));
  return std::get<T>(e.payload);
}

std::vector<std::string> Types(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.emplace_back(e.type());
  return out;
}

}  // namespace

TEST_CASE("a conference goes scheduled, live, ended") {
  Harness h;
  CHECK(h.state().phase == Phase::kScheduled);
  CHECK(h.Code(cmd::EndConference{}, Actor::Chair()) == errc::kNotLive);
  h.clock.Advance(1min);
  h.Ok(cmd::StartConference{}, Actor::Chair());
  CHECK(h.state().phase == Phase::kLive);
  CHECK(h.state().started_at == h.clock.now);
  CHECK(h.log.back().at == h.clock.now);
  CHECK(h.Code(cmd::StartConference{}, Actor::Chair()) == errc::kNotScheduled);
  h.clock.Advance(90min);
  h.Ok(cmd::EndConference{}, Actor::Chair());
  CHECK(h.state().phase == Phase::kEnded);
  CHECK(h.state().ended_at == h.clock.now);
  CHECK(h.Code(cmd::StartConference{}, Actor::Chair()) == errc::kNotScheduled);
  CHECK(h.Code(cmd::StartAgenda{}, Actor::Chair()) == errc::kNotLive);
  CHECK(h.Code(cmd::EndConference{}, Actor::Chair()) == errc::kNotLive);
}

TEST_CASE("every command is checked against the actor's role") {
  Harness h;
  h.GoLive();
  const Actor point = Actor::Point("ha-noi");
  const std::vector<std::pair<Command, std::vector<Actor>>> refused = {
      {cmd::StartAgenda{}, {point, Actor::Operator(), Actor::Observer(), Actor::System()}},
      {cmd::NextItem{}, {point, Actor::Operator(), Actor::Observer()}},
      {cmd::GotoItem{"qd-124"}, {point, Actor::Observer()}},
      {cmd::EndConference{}, {point, Actor::Operator(), Actor::Observer()}},
      {cmd::CheckIn{"ha-noi", {}, 3}, {Actor::Chair(), Actor::Observer(), Actor::System()}},
      {cmd::JoinPoint{"soc-trang"}, {Actor::Chair(), Actor::Operator(), Actor::Point("soc-trang")}},
      {cmd::LeavePoint{"ha-noi"}, {Actor::Chair(), point}},
      {cmd::RaiseHand{}, {Actor::Chair(), Actor::Operator(), Actor::Observer()}},
      {cmd::SubmitQuestion{"Hỏi?", ""}, {Actor::Chair(), Actor::Observer()}},
      {cmd::GrantFloor{"ha-noi"}, {point, Actor::Operator(), Actor::Observer()}},
      {cmd::RevokeFloor{}, {point, Actor::Operator()}},
      {cmd::SelectSource{"hall"}, {point, Actor::Observer()}},
  };
  for (const auto& [command, actors] : refused) {
    for (const Actor& actor : actors) {
      INFO(std::visit([](const auto& c) { return std::string(std::decay_t<decltype(c)>::kType); },
                      command)
           << " by " << RoleName(actor.role));
      CHECK(h.Code(command, actor) == errc::kForbidden);
    }
  }
  SECTION("a point not in the roster is refused even for its own actions") {
    CHECK(h.Code(cmd::RaiseHand{}, Actor::Point("hue")) == errc::kUnknownPoint);
  }
  SECTION("a point acts only for itself") {
    CHECK(h.Code(cmd::CheckIn{"da-nang", {}, 3}, point) == errc::kForbidden);
    h.Ok(cmd::RaiseHand{}, Actor::Point("da-nang"));
    CHECK(h.Code(cmd::LowerHand{"da-nang"}, point) == errc::kForbidden);
  }
}

TEST_CASE("staff put a source on air in any phase, and the state remembers it") {
  Harness h;
  CHECK(h.state().program_source.empty());
  h.Ok(cmd::SelectSource{"hall"}, Actor::Operator());  // before the start: preparing
  CHECK(h.state().program_source == "hall");
  h.GoLive();
  h.Ok(cmd::SelectSource{"cam-2"}, Actor::Chair());
  CHECK(h.state().program_source == "cam-2");
  CHECK(Payload<ev::SourceSelected>(h.log.back()).source == "cam-2");
  for (const char* bad : {"", "Hall", "a b", "../x", "an-id-that-is-longer-than-32-chars"}) {
    INFO(bad);
    CHECK(h.Code(cmd::SelectSource{bad}, Actor::Operator()) == errc::kBadCommand);
  }
  CHECK(h.state().program_source == "cam-2");
}

TEST_CASE("the agenda runs start, next, goto and end, recording actual times") {
  Harness h;
  h.GoLive();
  CHECK(h.Code(cmd::EndItem{}, Actor::Chair()) == errc::kNoCurrentItem);
  h.Ok(cmd::StartAgenda{}, Actor::Chair());
  REQUIRE(h.state().current);
  CHECK(h.state().current->index == 0);
  CHECK(h.Code(cmd::StartAgenda{}, Actor::Chair()) == errc::kItemRunning);

  h.clock.Advance(6min);
  auto next = h.Run(cmd::NextItem{}, Actor::Chair());
  REQUIRE(next);
  CHECK(Types(*next) == std::vector<std::string>{"agenda.item_ended", "agenda.item_started"});
  CHECK(Payload<ev::ItemStarted>((*next)[1]).item == "qd-124");
  REQUIRE(h.state().items[0].runs.size() == 1);
  CHECK(h.state().items[0].runs[0].end - h.state().items[0].runs[0].start == 6min);

  CHECK(h.Code(cmd::GotoItem{"qd-124"}, Actor::Chair()) == errc::kItemCurrent);
  CHECK(h.Code(cmd::GotoItem{"be-mac"}, Actor::Chair()) == errc::kUnknownItem);
  h.clock.Advance(10min);
  h.Ok(cmd::GotoItem{"trao-doi"}, Actor::Chair());
  CHECK(h.Code(cmd::NextItem{}, Actor::Chair()) == errc::kNoNextItem);
  h.Ok(cmd::EndItem{}, Actor::Chair());
  CHECK_FALSE(h.state().current);
  CHECK(h.Code(cmd::NextItem{}, Actor::Chair()) == errc::kNoNextItem);

  SECTION("next after an ended item continues after it") {
    h.Ok(cmd::GotoItem{"khai-mac"}, Actor::Chair());
    h.Ok(cmd::EndItem{}, Actor::Chair());
    h.Ok(cmd::NextItem{}, Actor::Chair());
    CHECK(h.state().current->index == 1);
  }
  SECTION("ending the conference ends the running item") {
    h.Ok(cmd::GotoItem{"qd-124"}, Actor::Chair());
    auto end = h.Run(cmd::EndConference{}, Actor::Chair());
    REQUIRE(end);
    CHECK(Types(*end) == std::vector<std::string>{"agenda.item_ended", "recording.stopped",
                                                  "conference.ended"});
    CHECK(h.state().items[1].runs.size() == 2);
  }
}

TEST_CASE("the current item's elapsed time counts every run and shows the overrun") {
  Harness h;
  h.GoLive();
  CHECK_FALSE(h.conference.CurrentItemProgress(h.clock.now));
  h.Ok(cmd::GotoItem{"khai-mac"}, Actor::Chair());  // planned 5 min
  h.clock.Advance(3min);
  auto progress = h.conference.CurrentItemProgress(h.clock.now);
  REQUIRE(progress);
  CHECK(progress->elapsed == 3min);
  CHECK(progress->planned == 5min);
  CHECK(progress->overrun() == 0ms);
  h.Ok(cmd::GotoItem{"qd-124"}, Actor::Chair());
  h.clock.Advance(1min);
  h.Ok(cmd::GotoItem{"khai-mac"}, Actor::Chair());
  h.clock.Advance(4min);
  progress = h.conference.CurrentItemProgress(h.clock.now);
  REQUIRE(progress);
  CHECK(progress->elapsed == 7min);
  CHECK(progress->overrun() == 2min);
  const auto snapshot = Snapshot(h.conference, Actor::Chair(), h.clock.now);
  CHECK(snapshot["current"]["item"] == "khai-mac");
  CHECK(snapshot["current"]["overrun_ms"] == 120000);
  CHECK(snapshot["planned_start"].is_null());  // the spec gives none
}

TEST_CASE("the snapshot gives the planned start, for the pages' 'not started yet'") {
  ConferenceSpec spec = test::SmallSpec();
  spec.planned_start = FromUnixMillis(1700096400000);
  Harness h(spec);
  CHECK(Snapshot(h.conference, Actor::Point("ha-noi"), h.clock.now)["planned_start"] ==
        1700096400000);
}

TEST_CASE("a point checks in its delegates and may amend the check-in") {
  Harness h;
  const Actor point = Actor::Point("soc-trang");
  SECTION("before the conference starts, Vietnamese names normalised to NFC") {
    h.Ok(cmd::CheckIn{"", {{"Phạm Văn " + kHauDecomposed, "Phó Bí thư"}, {"Lâm Đông", ""}}, 12},
         point);
    const auto& checkin = h.state().points[2].checkin;
    REQUIRE(checkin);
    CHECK(checkin->delegates[0].name == "Phạm Văn " + kHauComposed);
    CHECK(checkin->delegates[0].name == "Ph\xe1\xba\xa1m V\xc4\x83n H\xe1\xba\xadu");
    CHECK(checkin->delegates[1] == Person{"Lâm Đông", ""});
    CHECK(checkin->headcount == 12);
    CHECK(checkin->at == h.clock.now);

    h.clock.Advance(5min);
    h.Ok(cmd::CheckIn{"soc-trang", {{"Lâm Đông", "Trưởng Ban Tổ chức"}}, 15}, point);
    CHECK(h.state().points[2].checkin->delegates.size() == 1);
    CHECK(h.state().points[2].checkin->headcount == 15);
    CHECK(h.log.size() == 2);  // the first check-in stays in the events
    CHECK(Payload<ev::CheckedIn>(h.log[0]).headcount == 12);
  }
  SECTION("the operator checks in for any point") {
    h.Ok(cmd::CheckIn{"ha-noi", {}, 40}, Actor::Operator());
    CHECK(h.Code(cmd::CheckIn{"", {}, 40}, Actor::Operator()) == errc::kUnknownPoint);
    CHECK(h.Code(cmd::CheckIn{"hue", {}, 40}, Actor::Operator()) == errc::kUnknownPoint);
  }
  SECTION("names and titles are checked") {
    const auto code = [&](std::string name, std::string title = "") {
      return h.Code(cmd::CheckIn{"", {{std::move(name), std::move(title)}}, 5}, point);
    };
    CHECK(code("") == errc::kBadText);
    CHECK(code("   ") == errc::kBadText);
    CHECK(code("Ha\xFF") == errc::kBadText);        // invalid UTF-8
    CHECK(code("\xC3") == errc::kBadText);          // truncated sequence
    CHECK(code("\xED\xA0\x80") == errc::kBadText);  // a surrogate
    CHECK(code("Lâm\tĐông") == errc::kBadText);
    CHECK(code("Lâm\nĐông") == errc::kBadText);
    CHECK(code(std::string("Lâm\0Đông", 10)) == errc::kBadText);
    CHECK(code("Lâm Đông", "Trưởng\x1b[31m") == errc::kBadText);
    CHECK(code(std::string(200, 'a')) == "ok");
    CHECK(code(std::string(201, 'a')) == errc::kBadText);
    std::string long_name;
    for (int i = 0; i < 66; ++i) long_name += "ậ";  // 66 characters, 198 bytes
    CHECK(code(long_name) == "ok");
    CHECK(code(long_name + "ậ") == errc::kBadText);  // the limit is in bytes
    CHECK(code("  Lâm Đông  ") == "ok");
    CHECK(h.state().points[2].checkin->delegates[0].name == "Lâm Đông");
  }
  SECTION("the headcount covers the named delegates and is bounded") {
    const std::vector<Person> two = {{"Phạm Văn Hậu", ""}, {"Lâm Đông", ""}};
    CHECK(h.Code(cmd::CheckIn{"", two, 1}, point) == errc::kBadHeadcount);
    CHECK(h.Code(cmd::CheckIn{"", two, -1}, point) == errc::kBadHeadcount);
    CHECK(h.Code(cmd::CheckIn{"", two, Conference::kMaxHeadcount + 1}, point) ==
          errc::kBadHeadcount);
    CHECK(h.Code(cmd::CheckIn{"", two, 2}, point) == "ok");
    CHECK(h.Code(cmd::CheckIn{"", {}, 0}, point) == "ok");
    const std::vector<Person> many(Conference::kMaxDelegates + 1, Person{"Đại biểu", ""});
    CHECK(h.Code(cmd::CheckIn{"", many, 500}, point) == errc::kTooManyDelegates);
  }
  SECTION("not after the conference has ended") {
    h.Ok(cmd::StartConference{}, Actor::Chair());
    h.Ok(cmd::EndConference{}, Actor::Chair());
    CHECK(h.Code(cmd::CheckIn{"", {}, 3}, point) == errc::kConferenceEnded);
  }
}

TEST_CASE("presence comes from the system and is kept as intervals") {
  Harness h;
  const Actor sys = Actor::System();
  CHECK(h.Code(cmd::JoinPoint{"hue"}, sys) == errc::kUnknownPoint);
  CHECK(h.Code(cmd::LeavePoint{"ha-noi"}, sys) == errc::kNotJoined);
  h.Ok(cmd::JoinPoint{"ha-noi"}, sys);
  CHECK(h.state().points[0].connected_since == h.clock.now);
  CHECK(h.Code(cmd::JoinPoint{"ha-noi"}, sys) == errc::kAlreadyJoined);
  h.clock.Advance(10s);
  h.Ok(cmd::LeavePoint{"ha-noi"}, sys);
  CHECK_FALSE(h.state().points[0].connected_since);
  REQUIRE(h.state().points[0].sessions.size() == 1);
  CHECK(h.state().points[0].sessions[0].end - h.state().points[0].sessions[0].start == 10s);
  h.Ok(cmd::StartConference{}, Actor::Chair());
  h.Ok(cmd::EndConference{}, Actor::Chair());
  h.Ok(cmd::JoinPoint{"ha-noi"}, sys);  // presence is recorded in every phase
}

TEST_CASE("raised hands form a FIFO queue") {
  Harness h;
  h.GoLive();
  const Actor hn = Actor::Point("ha-noi"), dn = Actor::Point("da-nang");
  CHECK(h.Code(cmd::RaiseHand{}, Actor::Point("soc-trang")) == errc::kPointOffline);
  h.Ok(cmd::RaiseHand{}, dn);
  h.clock.Advance(1s);
  h.Ok(cmd::RaiseHand{}, hn);
  REQUIRE(h.state().hands.size() == 2);
  CHECK(h.state().hands[0].point == "da-nang");
  CHECK(h.state().hands[1].point == "ha-noi");
  CHECK(h.Code(cmd::RaiseHand{}, hn) == errc::kHandRaised);  // not idempotent: the UI shows it
  h.Ok(cmd::LowerHand{}, dn);
  CHECK(Payload<ev::HandLowered>(h.log.back()).reason == "lowered");
  CHECK(h.Code(cmd::LowerHand{}, dn) == errc::kHandNotRaised);
  h.Ok(cmd::RaiseHand{}, dn);
  CHECK(h.state().hands.back().point == "da-nang");  // back of the queue
  h.Ok(cmd::LowerHand{"ha-noi"}, Actor::Chair());
  CHECK(Payload<ev::HandLowered>(h.log.back()).reason == "dismissed");
  CHECK(h.Code(cmd::LowerHand{""}, Actor::Chair()) == errc::kUnknownPoint);
  CHECK(h.Code(cmd::LowerHand{"ha-noi"}, Actor::Chair()) == errc::kHandNotRaised);
}

TEST_CASE("questions are numbered by the domain and moderated by the chair") {
  Harness h;
  const Actor hn = Actor::Point("ha-noi"), dn = Actor::Point("da-nang");
  CHECK(h.Code(cmd::SubmitQuestion{"Hỏi?", ""}, hn) == errc::kNotLive);
  h.GoLive();
  h.Ok(cmd::SubmitQuestion{"Đề nghị làm rõ Điều 5?\nXin cảm ơn.", "qd-124"}, hn);
  h.Ok(cmd::SubmitQuestion{"Câu hỏi thứ hai", ""}, dn);
  REQUIRE(h.state().questions.size() == 2);
  CHECK(h.state().questions[0].id == 1);
  CHECK(h.state().questions[0].item == "qd-124");
  CHECK(h.state().questions[1].id == 2);
  CHECK(h.state().questions[1].point == "da-nang");

  CHECK(h.Code(cmd::SubmitQuestion{"Hỏi", "be-mac"}, hn) == errc::kUnknownItem);
  CHECK(h.Code(cmd::SubmitQuestion{"", ""}, hn) == errc::kBadText);
  CHECK(h.Code(cmd::SubmitQuestion{"a\tb", ""}, hn) == errc::kBadText);
  std::string thousand;
  for (int i = 0; i < 1000; ++i) thousand += "ậ";  // 1000 characters, 3000 bytes
  CHECK(h.Code(cmd::SubmitQuestion{thousand, ""}, hn) == "ok");
  CHECK(h.Code(cmd::SubmitQuestion{thousand + "a", ""}, hn) == errc::kBadText);

  CHECK(h.Code(cmd::ApproveQuestion{1}, hn) == errc::kForbidden);
  CHECK(h.Code(cmd::ApproveQuestion{99}, Actor::Chair()) == errc::kUnknownQuestion);
  CHECK(h.Code(cmd::ApproveQuestion{0}, Actor::Chair()) == errc::kUnknownQuestion);
  h.Ok(cmd::ApproveQuestion{1}, Actor::Chair());
  CHECK(h.state().questions[0].status == QuestionStatus::kApproved);
  CHECK(h.Code(cmd::ApproveQuestion{1}, Actor::Chair()) == errc::kBadQuestionState);
  h.Ok(cmd::AnswerQuestion{1}, Actor::Chair());
  CHECK(h.state().questions[0].status == QuestionStatus::kAnswered);
  CHECK(h.Code(cmd::RejectQuestion{1, "Trùng lặp"}, Actor::Chair()) == errc::kBadQuestionState);
  CHECK(h.Code(cmd::RejectQuestion{2, ""}, Actor::Chair()) == errc::kBadText);
  h.Ok(cmd::RejectQuestion{2, "Trùng lặp"}, Actor::Chair());
  CHECK(h.state().questions[1].status == QuestionStatus::kRejected);
  CHECK(h.state().questions[1].reason == "Trùng lặp");

  SECTION("a point sees only its own questions") {
    const Event& approved = h.log[h.log.size() - 2];
    CHECK(approved.type() == "question.answered");
    CHECK(IsVisibleTo(approved, hn));
    CHECK_FALSE(IsVisibleTo(approved, dn));
    CHECK(IsVisibleTo(approved, Actor::Chair()));
    CHECK(IsVisibleTo(approved, Actor::Observer()));
    const auto snapshot = Snapshot(h.conference, dn, h.clock.now);
    REQUIRE(snapshot["questions"].size() == 1);
    CHECK(snapshot["questions"][0]["status"] == "rejected");
    CHECK(Snapshot(h.conference, Actor::Chair(), h.clock.now)["questions"].size() == 3);
  }
  SECTION("a point's number of questions is bounded") {
    while (h.Code(cmd::SubmitQuestion{"Hỏi", ""}, dn) == "ok") {
    }
    CHECK(h.Code(cmd::SubmitQuestion{"Hỏi", ""}, dn) == errc::kTooManyQuestions);
    CHECK(h.state().questions.size() == 2 + Conference::kMaxQuestionsPerPoint);
  }
}

TEST_CASE("one point at a time holds the floor") {
  Harness h;
  h.GoLive();
  const Actor hn = Actor::Point("ha-noi");
  CHECK(h.Code(cmd::RevokeFloor{}, Actor::Chair()) == errc::kFloorFree);
  CHECK(h.Code(cmd::GrantFloor{"hue"}, Actor::Chair()) == errc::kUnknownPoint);
  CHECK(h.Code(cmd::GrantFloor{"soc-trang"}, Actor::Chair()) == errc::kPointOffline);

  SECTION("granted from the queue, the hand comes down") {
    h.Ok(cmd::RaiseHand{}, hn);
    auto granted = h.Run(cmd::GrantFloor{"ha-noi"}, Actor::Chair());
    REQUIRE(granted);
    CHECK(Types(*granted) == std::vector<std::string>{"hand.lowered", "floor.granted"});
    CHECK(Payload<ev::HandLowered>((*granted)[0]).reason == "granted");
    CHECK(h.state().hands.empty());
    CHECK(h.state().floor->point == "ha-noi");
    CHECK(h.Code(cmd::GrantFloor{"da-nang"}, Actor::Chair()) == errc::kFloorBusy);
    CHECK(h.Code(cmd::GrantFloor{"ha-noi"}, Actor::Chair()) == errc::kFloorBusy);
    h.Ok(cmd::RevokeFloor{}, Actor::Chair());
    CHECK(Payload<ev::FloorRevoked>(h.log.back()).reason == "revoked");
    CHECK_FALSE(h.state().floor);
  }
  SECTION("granted directly, revoked when the holder disconnects") {
    h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());
    h.Ok(cmd::RaiseHand{}, Actor::Point("da-nang"));
    auto left = h.Run(cmd::LeavePoint{"da-nang"}, Actor::System());
    REQUIRE(left);
    CHECK(Types(*left) == std::vector<std::string>{"point.left", "floor.revoked", "hand.lowered"});
    CHECK(Payload<ev::FloorRevoked>((*left)[1]).reason == "disconnected");
    CHECK(Payload<ev::HandLowered>((*left)[2]).reason == "disconnected");
    CHECK_FALSE(h.state().floor);
    CHECK(h.state().hands.empty());
  }
  SECTION("ending the conference takes the floor and clears the queue") {
    h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());
    h.Ok(cmd::RaiseHand{}, hn);
    auto end = h.Run(cmd::EndConference{}, Actor::Chair());
    REQUIRE(end);
    CHECK(Types(*end) == std::vector<std::string>{"floor.revoked", "hand.lowered",
                                                  "recording.stopped", "conference.ended"});
    CHECK(Payload<ev::FloorRevoked>((*end)[0]).reason == "conference_ended");
  }
}

TEST_CASE("the recorder runs with the conference and on the staff's command") {
  Harness h;
  const Actor op = Actor::Operator();
  CHECK(h.Code(cmd::StopRecording{}, op) == errc::kNotRecording);
  CHECK(h.Code(cmd::StartRecording{}, Actor::Point("ha-noi")) == errc::kForbidden);
  CHECK(h.Code(cmd::StartRecording{}, Actor::Observer()) == errc::kForbidden);
  CHECK(h.Code(cmd::FailRecording{"disk full"}, op) == errc::kForbidden);

  SECTION("a rehearsal recorded before the start, then the conference keeps recording") {
    h.Ok(cmd::StartRecording{}, op);
    CHECK(h.state().recording_since == h.clock.now);
    CHECK(h.Code(cmd::StartRecording{}, Actor::Chair()) == errc::kRecording);
    h.clock.Advance(1min);
    auto started = h.Run(cmd::StartConference{}, Actor::Chair());
    REQUIRE(started);
    CHECK(Types(*started) == std::vector<std::string>{"conference.started"});
  }
  SECTION("starting the conference starts it; ending the conference stops it") {
    auto started = h.Run(cmd::StartConference{}, Actor::Chair());
    REQUIRE(started);
    CHECK(Types(*started) == std::vector<std::string>{"conference.started", "recording.started"});
    h.clock.Advance(10min);
    h.Ok(cmd::StopRecording{}, op);
    CHECK(Payload<ev::RecordingStopped>(h.log.back()).reason == "stopped");
    h.clock.Advance(1min);
    h.Ok(cmd::StartRecording{}, Actor::Chair());
    h.clock.Advance(5min);
    auto end = h.Run(cmd::EndConference{}, Actor::Chair());
    REQUIRE(end);
    CHECK(Types(*end) == std::vector<std::string>{"recording.stopped", "conference.ended"});
    CHECK(Payload<ev::RecordingStopped>((*end)[0]).reason == "conference_ended");
    CHECK_FALSE(h.state().recording_since);
    REQUIRE(h.state().recordings.size() == 2);
    CHECK(h.state().recordings[1].end - h.state().recordings[1].start == 5min);
    CHECK(h.Code(cmd::StartRecording{}, op) == errc::kConferenceEnded);
  }
  SECTION("a recorder failure is journaled by the system with its reason") {
    h.Ok(cmd::StartConference{}, Actor::Chair());
    h.Ok(cmd::FailRecording{"archive: No space left on device"}, Actor::System());
    const auto& stopped = Payload<ev::RecordingStopped>(h.log.back());
    CHECK(stopped.reason == "failed");
    CHECK(stopped.detail == "archive: No space left on device");
    CHECK(h.Code(cmd::FailRecording{"again"}, Actor::System()) == errc::kNotRecording);
    const auto snapshot = Snapshot(h.conference, op, h.clock.now);
    CHECK(snapshot["recording"]["on"] == false);
  }
}

TEST_CASE("a reset ends a rehearsal and puts the conference back to scheduled") {
  Harness h;
  const Actor sys = Actor::System(), hn = Actor::Point("ha-noi"), dn = Actor::Point("da-nang");
  CHECK(h.Code(cmd::ResetConference{}, Actor::Chair()) == errc::kNotStarted);
  CHECK(h.Code(cmd::ResetConference{}, Actor::Operator()) == errc::kNotStarted);
  for (const Actor& actor : {hn, Actor::Observer(), sys}) {
    CHECK(h.Code(cmd::ResetConference{}, actor) == errc::kForbidden);
  }

  // The practice: presence, a check-in, the agenda, hands, the floor, a
  // question, the recorder, and a point that came and went.
  h.Ok(cmd::JoinPoint{"soc-trang"}, sys);
  h.clock.Advance(1min);
  h.Ok(cmd::LeavePoint{"soc-trang"}, sys);
  h.GoLive();
  h.Ok(cmd::CheckIn{"", {{"Người tập dượt", ""}}, 3}, hn);
  h.Ok(cmd::StartAgenda{}, Actor::Chair());
  h.Ok(cmd::NextItem{}, Actor::Chair());
  h.Ok(cmd::SubmitQuestion{"Câu hỏi tập dượt", "qd-124"}, dn);
  h.Ok(cmd::SubmitQuestion{"Câu hỏi tập dượt 2", ""}, dn);
  h.Ok(cmd::ApproveQuestion{1}, Actor::Chair());
  h.Ok(cmd::RaiseHand{}, dn);
  h.Ok(cmd::RaiseHand{}, hn);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());
  h.Ok(cmd::RaiseHand{}, hn);
  h.clock.Advance(10min);
  const Timestamp reset_at = h.clock.now;

  auto reset = h.Run(cmd::ResetConference{}, Actor::Operator());
  REQUIRE(reset);
  CHECK(Types(*reset) == std::vector<std::string>{"agenda.item_ended", "floor.revoked",
                                                  "hand.lowered", "hand.lowered",
                                                  "recording.stopped", "conference.reset"});
  CHECK(Payload<ev::ItemEnded>((*reset)[0]).item == "qd-124");
  CHECK(Payload<ev::FloorRevoked>((*reset)[1]) == ev::FloorRevoked{"ha-noi", "reset"});
  CHECK(Payload<ev::HandLowered>((*reset)[2]) == ev::HandLowered{"da-nang", "reset"});
  CHECK(Payload<ev::HandLowered>((*reset)[3]) == ev::HandLowered{"ha-noi", "reset"});
  CHECK(Payload<ev::RecordingStopped>((*reset)[4]).reason == "reset");
  CHECK(Payload<ev::ConferenceReset>((*reset)[5]).rehearsal == 1);

  const ConferenceState& s = h.state();
  CHECK(s.phase == Phase::kScheduled);
  CHECK_FALSE(s.started_at);
  CHECK_FALSE(s.ended_at);
  CHECK_FALSE(s.current);
  CHECK_FALSE(s.last_item);
  for (const ItemState& item : s.items) CHECK(item.runs.empty());
  CHECK(s.questions.empty());
  CHECK(s.question_base == 2);
  CHECK(s.hands.empty());
  CHECK_FALSE(s.floor);
  CHECK_FALSE(s.recording_since);
  CHECK(s.recordings.empty());
  CHECK(s.rehearsals == 1);
  for (const PointState& point : s.points) {
    CHECK_FALSE(point.checkin);
    CHECK(point.sessions.empty());
  }
  CHECK(s.points[0].connected_since == reset_at);  // still here: attends from now on
  CHECK(s.points[1].connected_since == reset_at);
  CHECK_FALSE(s.points[2].connected_since);

  const auto snapshot = Snapshot(h.conference, Actor::Chair(), h.clock.now);
  CHECK(snapshot["phase"] == "scheduled");
  CHECK(snapshot["rehearsals"] == 1);
  CHECK(snapshot["questions"].empty());
  CHECK(snapshot["points"][0]["checkin"].is_null());
  CHECK(snapshot["points"][0]["connected_since"] == ToUnixMillis(reset_at));
  CHECK(snapshot["recording"]["on"] == false);
  CHECK(h.Code(cmd::ResetConference{}, Actor::Chair()) == errc::kNotStarted);

  // The real run: the agenda from the top, question ids go on, the
  // rehearsal's questions are gone.
  h.clock.Advance(5min);
  auto started = h.Run(cmd::StartConference{}, Actor::Chair());
  REQUIRE(started);
  CHECK(Types(*started) == std::vector<std::string>{"conference.started", "recording.started"});
  CHECK(h.state().started_at == h.clock.now);
  h.Ok(cmd::NextItem{}, Actor::Chair());
  CHECK(Payload<ev::ItemStarted>(h.log.back()).item == "khai-mac");
  CHECK(h.Code(cmd::ApproveQuestion{1}, Actor::Chair()) == errc::kUnknownQuestion);
  CHECK(h.Code(cmd::AnswerQuestion{2}, Actor::Chair()) == errc::kUnknownQuestion);
  h.Ok(cmd::SubmitQuestion{"Câu hỏi thật", ""}, hn);
  CHECK(Payload<ev::QuestionSubmitted>(h.log.back()).question == 3);
  REQUIRE(h.state().questions.size() == 1);
  CHECK(h.state().questions[0].id == 3);
  h.Ok(cmd::ApproveQuestion{3}, Actor::Chair());
  CHECK(h.conference.FindQuestion(3)->status == QuestionStatus::kApproved);
  CHECK(Snapshot(h.conference, Actor::Chair(), h.clock.now)["questions"][0]["id"] == 3);

  SECTION("an ended conference is reset too; its batch has nothing left to close") {
    h.Ok(cmd::EndConference{}, Actor::Chair());
    auto again = h.Run(cmd::ResetConference{}, Actor::Chair());
    REQUIRE(again);
    CHECK(Types(*again) == std::vector<std::string>{"conference.reset"});
    CHECK(Payload<ev::ConferenceReset>(again->back()).rehearsal == 2);
    CHECK(h.state().phase == Phase::kScheduled);
    CHECK(h.state().rehearsals == 2);
    CHECK(h.state().question_base == 3);
  }
  SECTION("a live run is reset by the chair with only what is open") {
    h.Ok(cmd::EndItem{}, Actor::Chair());
    h.Ok(cmd::StopRecording{}, Actor::Operator());
    auto again = h.Run(cmd::ResetConference{}, Actor::Chair());
    REQUIRE(again);
    CHECK(Types(*again) == std::vector<std::string>{"conference.reset"});
  }

  // Replaying the journal gives the same state.
  Conference replayed(h.conference.spec());
  for (const Event& e : h.log) REQUIRE(replayed.Apply(e));
  CHECK(replayed == h.conference);
}

TEST_CASE("event time never runs backwards when the wall clock does") {
  Harness h;
  h.Ok(cmd::StartConference{}, Actor::Chair());
  const Timestamp started = h.clock.now;
  h.clock.Advance(-5min);  // an NTP step
  h.Ok(cmd::JoinPoint{"ha-noi"}, Actor::System());
  CHECK(h.log.back().at == started);
}

TEST_CASE("Apply refuses an event that does not fit the state, changing nothing") {
  Harness h;
  h.GoLive();
  const ConferenceState before = h.state();
  for (const EventPayload& p : std::vector<EventPayload>{
           ev::PointJoined{"ha-noi"}, ev::PointLeft{"soc-trang"}, ev::PointJoined{"hue"},
           ev::ItemEnded{"khai-mac"}, ev::ItemStarted{"be-mac"},
           ev::HandLowered{"ha-noi", "lowered"}, ev::QuestionSubmitted{7, "ha-noi", "", "Hỏi"},
           ev::QuestionApproved{1, "ha-noi"}, ev::FloorRevoked{"ha-noi", "revoked"},
           ev::CheckedIn{"hue", {}, 1}, ev::RecordingStarted{},
           ev::ConferenceReset{1},  // the recorder is still on
           ev::ConferenceReset{2}}) {
    const Status s = h.conference.Apply(Event{99, h.clock.now, p});
    REQUIRE_FALSE(s);
    CHECK(s.error().code == errc::kBadEvent);
    CHECK(h.state() == before);
  }
}

}  // namespace bridgecast::agenda
