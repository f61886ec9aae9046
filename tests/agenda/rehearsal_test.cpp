#include <catch2/catch.hpp>

#include "agenda/archive_timeline.hpp"
#include "agenda/attendance_report.hpp"
#include "agenda/journal_runs.hpp"
#include "agenda/minutes.hpp"
#include "agenda/minutes_html.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;
using test::Harness;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A rehearsal with everything the record could show (check-ins, questions,
// the floor, agenda runs, a point that came and went), a reset, then the real
// run half an hour later. Every point of the rehearsal is still connected
// except soc-trang.
struct RehearsedConference {
  RehearsedConference() {
    const Actor sys = Actor::System(), chair = Actor::Chair();
    for (const char* point : {"ha-noi", "da-nang", "soc-trang"}) h.Ok(cmd::JoinPoint{point}, sys);
    t0 = h.clock.now;
    h.Ok(cmd::StartConference{}, chair);
    h.Ok(cmd::CheckIn{"", {{"Người tập dượt", ""}}, 3}, Actor::Point("ha-noi"));
    h.Ok(cmd::CheckIn{"soc-trang", {}, 5}, Actor::Operator());
    h.Ok(cmd::StartAgenda{}, chair);
    h.clock.Advance(2min);
    h.Ok(cmd::SubmitQuestion{"Câu hỏi tập dượt", ""}, Actor::Point("da-nang"));
    h.Ok(cmd::AnswerQuestion{1}, chair);
    h.Ok(cmd::GrantFloor{"da-nang"}, chair);
    h.clock.Advance(1min);
    h.Ok(cmd::RevokeFloor{}, chair);
    h.Ok(cmd::NextItem{}, chair);
    h.clock.Advance(1min);
    h.Ok(cmd::LeavePoint{"soc-trang"}, sys);
    h.clock.Advance(6min);
    reset_at = h.clock.now;
    h.Ok(cmd::ResetConference{}, Actor::Operator());
    reset_seq = h.seq;

    h.clock.Advance(20min);
    t1 = h.clock.now;
    h.Ok(cmd::StartConference{}, chair);
    h.Ok(cmd::CheckIn{"", {{"Đại biểu thật", ""}}, 7}, Actor::Point("da-nang"));
    h.Ok(cmd::StartAgenda{}, chair);
    h.clock.Advance(5min);
    h.Ok(cmd::SubmitQuestion{"Câu hỏi thật", ""}, Actor::Point("ha-noi"));
    h.Ok(cmd::GrantFloor{"ha-noi"}, chair);
    h.clock.Advance(2min);
    h.Ok(cmd::RevokeFloor{}, chair);
    h.Ok(cmd::NextItem{}, chair);
    h.clock.Advance(3min);
    h.Ok(cmd::EndConference{}, chair);
  }

  Harness h;
  Timestamp t0{}, reset_at{}, t1{};
  std::uint64_t reset_seq = 0;
};

}  // namespace

TEST_CASE("a journal's runs are cut at each conference.reset") {
  RehearsedConference r;
  const std::vector<Event>& log = r.h.log;
  const auto rehearsal = EventsOfRun(log, 0);
  const auto real = EventsOfRun(log, 1);
  REQUIRE_FALSE(rehearsal.empty());
  CHECK(rehearsal.front().seq == 1);
  CHECK(rehearsal.back().type() == "conference.reset");  // the reset closes its run
  CHECK(rehearsal.back().seq == r.reset_seq);
  REQUIRE_FALSE(real.empty());
  CHECK(real.front().seq == r.reset_seq + 1);
  CHECK(real.front().type() == "conference.started");
  CHECK(real.back().seq == log.back().seq);
  CHECK(rehearsal.size() + real.size() == log.size());
  CHECK(CurrentRun(log).data() == real.data());
  CHECK(CurrentRun(log).size() == real.size());
  CHECK(EventsOfRun(log, 2).empty());

  const std::vector<Event> no_reset(log.begin(), log.begin() + 5);
  CHECK(CurrentRun(no_reset).size() == 5);
  CHECK(EventsOfRun(no_reset, 0).size() == 5);
  CHECK(EventsOfRun(no_reset, 1).empty());
  CHECK(CurrentRun(std::vector<Event>{}).empty());
}

TEST_CASE("the real run's attendance holds nothing of the rehearsal") {
  RehearsedConference r;
  const AttendanceReport report = BuildAttendanceReport(r.h.conference, r.h.clock.now);
  CHECK(report.started_at == r.t1);
  CHECK(report.ended_at == r.t1 + 10min);
  const PointAttendance& hn = report.points[0];
  CHECK_FALSE(hn.headcount);  // checked in only in the rehearsal
  CHECK(hn.delegates.empty());
  CHECK(hn.first_join == r.reset_at);  // connected through the reset: attends from it
  CHECK(hn.connected == 10min);
  CHECK(hn.gaps.empty());
  const PointAttendance& dn = report.points[1];
  CHECK(dn.headcount == 7);
  REQUIRE(dn.delegates.size() == 1);
  CHECK(dn.delegates[0].name == "Đại biểu thật");
  const PointAttendance& st = report.points[2];
  CHECK_FALSE(st.headcount);
  CHECK_FALSE(st.first_join);  // left during the rehearsal
  CHECK(st.connected == 0ms);
  const std::string csv = ToCsv(report);
  CHECK_FALSE(Has(csv, "Người tập dượt"));
}

TEST_CASE("the real run's timeline has no rehearsal chapter or marker") {
  RehearsedConference r;
  const ConferenceSpec& spec = r.h.conference.spec();
  // The recorder ran through both; the real run's archive is its own runs only.
  const RecordedSegment rehearsal{r.t0, 10min}, real{r.t1, 10min};

  const ArchiveTimeline t = BuildTimeline(spec, r.h.log, {real});
  CHECK(t.duration == 10min);
  REQUIRE(t.chapters.size() == 2);
  CHECK(t.chapters[0] == Chapter{"khai-mac", "Khai mạc", 0min, 7min});
  CHECK(t.chapters[1].item == "qd-124");
  CHECK(t.chapters[1].start == 7min);
  REQUIRE(t.markers.size() == 3);  // the real question, grant and revoke
  for (const Marker& m : t.markers) CHECK(m.seq > r.reset_seq);
  CHECK(t.markers[0].text == "Câu hỏi thật");
  REQUIRE(t.speaking.size() == 1);  // ha-noi's, not the rehearsal's da-nang
  CHECK(t.speaking[0].point == "ha-noi");
  CHECK(t.speaking[0].start == 5min);
  CHECK(t.speaking[0].end == 7min);

  // Even handed the rehearsal's media, the rehearsal's events stay out.
  const ArchiveTimeline both = BuildTimeline(spec, r.h.log, {rehearsal, real});
  REQUIRE(both.chapters.size() == 2);
  CHECK(both.chapters[0].start == 10min);
  for (const Marker& m : both.markers) CHECK(m.seq > r.reset_seq);
  REQUIRE(both.speaking.size() == 1);
  CHECK(both.speaking[0].seq > r.reset_seq);
}

TEST_CASE("the real run's minutes hold nothing of the rehearsal") {
  RehearsedConference r;
  const ArchiveTimeline timeline =
      BuildTimeline(r.h.conference.spec(), r.h.log, {RecordedSegment{r.t1, 10min}});
  const Minutes m =
      BuildMinutes(r.h.conference, r.h.log, timeline, {"/review?s=hoi-nghi-1", 7h, r.h.clock.now});
  CHECK(m.started_at == r.t1);
  REQUIRE(m.agenda[0].runs.size() == 1);
  CHECK(m.agenda[0].runs[0].start == r.t1);
  REQUIRE(m.agenda[0].chapters.size() == 1);
  CHECK(m.agenda[0].chapters[0].media == 0min);
  REQUIRE(m.agenda[1].runs.size() == 1);
  CHECK(m.agenda[1].runs[0].start == r.t1 + 7min);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].question.id == 2);  // ids go on from the rehearsal's
  CHECK(m.questions[0].question.text == "Câu hỏi thật");
  REQUIRE(m.floor.size() == 1);
  CHECK(m.floor[0].point == "ha-noi");
  CHECK(m.floor[0].granted == r.t1 + 5min);
  CHECK(m.attendance.points[1].headcount == 7);
  CHECK_FALSE(m.attendance.points[0].headcount);

  const std::string html = ToHtml(m);
  CHECK_FALSE(Has(html, "Câu hỏi tập dượt"));
  CHECK_FALSE(Has(html, "Người tập dượt"));
  CHECK(Has(html, "Câu hỏi thật"));
}

}  // namespace bridgecast::agenda
