#include "agenda/minutes.hpp"

#include <catch2/catch.hpp>

#include "agenda/conference_spec_json.hpp"
#include "agenda/minutes_html.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;
using test::Harness;

constexpr Millis kHanoi = 7h;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("minutes record agenda times, attendance, questions and the floor with links") {
  Harness h;
  h.GoLive();  // 01:00:00Z = 08:00:00 in Hà Nội
  const Timestamp t0 = h.clock.now;
  h.Ok(cmd::CheckIn{"", {{"Phạm Văn Hậu", "Phó Bí thư"}}, 12}, Actor::Point("ha-noi"));
  h.Ok(cmd::StartAgenda{}, Actor::Chair());
  h.clock.Advance(6min);
  h.Ok(cmd::NextItem{}, Actor::Chair());
  h.Ok(cmd::SubmitQuestion{"<b>Hỏi</b> & đáp?", "qd-124"}, Actor::Point("da-nang"));
  h.clock.Advance(1min);
  h.Ok(cmd::RejectQuestion{1, "Đã trả lời ở mục trước"}, Actor::Chair());
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());
  h.clock.Advance(2min);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());
  h.clock.Advance(1min);

  const std::vector<RecordedSegment> segments = {{t0, 10min}};
  const ArchiveTimeline timeline = BuildTimeline(h.conference.spec(), h.log, segments);
  const Minutes m = BuildMinutes(h.conference, h.log, timeline,
                                 {"/review?session=hoi-nghi-1", kHanoi, h.clock.now});

  REQUIRE(m.agenda.size() == 3);
  CHECK(m.agenda[0].actual == 6min);
  CHECK(m.agenda[1].actual == 4min);  // still running: up to now
  REQUIRE(m.agenda[1].chapters.size() == 1);
  CHECK(m.agenda[1].chapters[0].url == "/review?session=hoi-nghi-1#t=360.0");
  CHECK(m.agenda[2].runs.empty());
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].point_name == "Thành ủy Đà Nẵng");
  CHECK(m.questions[0].link->media == 6min);
  REQUIRE(m.floor.size() == 1);
  CHECK(m.floor[0].point_name == "Thành ủy Hà Nội");
  CHECK(m.floor[0].revoked == t0 + 9min);
  CHECK(m.floor[0].reason == "revoked");
  CHECK(m.floor[0].link->media == 7min);
  CHECK(m.floor[0].duration == 2min);
  CHECK(m.floor[0].end_link->url == "/review?session=hoi-nghi-1#t=540.0");

  const auto j = ToJson(m);
  CHECK(j["chair"]["name"] == "Trương Thị Mai");
  CHECK(j["utc_offset_minutes"] == 420);
  CHECK(j["agenda"][0]["planned_minutes"] == 5);
  CHECK(j["agenda"][0]["actual_ms"] == 360000);
  CHECK(j["questions"][0]["status"] == "rejected");
  CHECK(j["questions"][0]["recording"]["url"] == "/review?session=hoi-nghi-1#t=360.0");
  CHECK(j["floor"][0]["revoked_at"] == ToUnixMillis(t0 + 9min));
  CHECK(j["floor"][0]["duration_ms"] == 120000);
  CHECK(j["floor"][0]["recording"]["media_ms"] == 420000);
  CHECK(j["floor"][0]["recording_end"]["media_ms"] == 540000);
  CHECK(j["attendance"]["points"].size() == 3);
  CHECK(j["recording"]["duration_ms"] == 600000);

  const std::string html = ToHtml(m);
  CHECK(Has(html, "<html lang=\"vi\">"));
  CHECK(Has(html, "Trương Thị Mai"));
  CHECK(Has(html, "08:00:00–08:06:00"));  // khai-mac, Hà Nội time
  CHECK(Has(html, "UTC+7:00"));
  CHECK(Has(html, "&lt;b&gt;Hỏi&lt;/b&gt; &amp; đáp?"));  // a point's text is escaped
  CHECK_FALSE(Has(html, "<b>Hỏi</b>"));
  CHECK(Has(html, "Không trả lời: Đã trả lời ở mục trước"));
  CHECK(Has(html, "href=\"/review?session=hoi-nghi-1#t=360.0\""));
  CHECK(Has(html, "Phạm Văn Hậu"));
  CHECK(Has(html, "chưa điểm danh"));
  CHECK(Has(html, "1/3 điểm cầu đã điểm danh, 12 đại biểu."));
}

TEST_CASE("minutes give each floor grant its range, its length and links to both ends") {
  Harness h;
  h.GoLive();  // 08:00:00 in Hà Nội
  const Timestamp t0 = h.clock.now;
  h.clock.Advance(5min + 12s);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());  // 08:05:12
  h.clock.Advance(3min + 28s);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());  // 08:08:40
  h.clock.Advance(1min);
  h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());  // 08:09:40
  h.clock.Advance(1h + 5min);
  h.Ok(cmd::LeavePoint{"da-nang"}, Actor::System());  // 09:14:40
  h.clock.Advance(1min);
  h.Ok(cmd::JoinPoint{"da-nang"}, Actor::System());
  h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());  // 09:15:40, still speaking
  h.clock.Advance(45s);

  // Recording started at 08:01:00.
  const std::vector<RecordedSegment> segments = {{t0 + 1min, 2h}};
  const Minutes m =
      BuildMinutes(h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, segments),
                   {"/review?s=hn", kHanoi, h.clock.now});
  REQUIRE(m.floor.size() == 3);
  CHECK(m.floor[0].duration == 3min + 28s);
  CHECK(m.floor[2].duration == 45s);  // up to now
  CHECK_FALSE(m.floor[2].end_link);
  CHECK(m.floor[2].link->media == 1h + 14min + 40s);

  const std::string html = ToHtml(m);
  CHECK(Has(html, "Phát biểu: Thành ủy Hà Nội, 08:05:12–08:08:40 (3 phút 28 giây)"));
  CHECK(Has(html, "<a href=\"/review?s=hn#t=252.0\">▶ 4:12</a>–"
                  "<a href=\"/review?s=hn#t=460.0\">7:40</a>"));
  CHECK(Has(html, "Phát biểu: Thành ủy Đà Nẵng, 08:09:40–09:14:40 (1 giờ 5 phút) "
                  "<span class=\"muted\">(mất kết nối)</span>"));
  CHECK(Has(html, "Phát biểu: Thành ủy Đà Nẵng, từ 09:15:40, chưa kết thúc (45 giây)"));
}

TEST_CASE("minutes without a recording have no links") {
  Harness h;
  h.GoLive();
  h.Ok(cmd::StartAgenda{}, Actor::Chair());
  const Minutes m = BuildMinutes(h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, {}),
                                 {"", 0ms, h.clock.now});
  CHECK(m.agenda[0].chapters.empty());
  const auto j = ToJson(m);
  CHECK(j["agenda"][0]["recording"].empty());
  CHECK_FALSE(Has(ToHtml(m), "<a href"));
}

TEST_CASE("minutes of the reference conference list all 67 points") {
  const ConferenceSpec spec = test::ReferenceConference();
  Harness h(spec);
  h.Ok(cmd::StartConference{}, Actor::Chair());
  h.clock.Advance(1h);
  h.Ok(cmd::EndConference{}, Actor::Chair());
  const Minutes m =
      BuildMinutes(h.conference, h.log, BuildTimeline(spec, h.log, {}), {"", kHanoi, h.clock.now});
  const std::string html = ToHtml(m);
  for (const BridgePointSpec& point : spec.points) CHECK(Has(html, EscapeHtml(point.name)));
  CHECK(ToJson(m)["attendance"]["points"].size() == 67);
}

TEST_CASE("the minutes' header shows the day the conference ran, and the planned one if it differs") {
  Harness h;
  SECTION("ran on the planned day") {
    h.GoLive();
    const std::string html = ToHtml(
        BuildMinutes(h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, {}),
                     {"", kHanoi, h.clock.now}));
    CHECK(Has(html, "Ngày 16/11/2023 ·"));
    CHECK_FALSE(Has(html, "dự kiến"));
  }
  SECTION("postponed by two days") {
    h.clock.Advance(48h);
    h.GoLive();
    const std::string html = ToHtml(
        BuildMinutes(h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, {}),
                     {"", kHanoi, h.clock.now}));
    CHECK(Has(html, "Ngày 18/11/2023 <span class=\"muted\">(dự kiến 2023-11-16)</span>"));
  }
  SECTION("not held yet") {
    const std::string html = ToHtml(
        BuildMinutes(h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, {}),
                     {"", kHanoi, h.clock.now}));
    CHECK(Has(html, "Dự kiến ngày 2023-11-16"));
  }
}

TEST_CASE("every table of the minutes scrolls sideways on a phone instead of overflowing") {
  Harness h;
  h.GoLive();
  const std::string html = ToHtml(BuildMinutes(
      h.conference, h.log, BuildTimeline(h.conference.spec(), h.log, {}), {"", kHanoi, h.clock.now}));
  size_t tables = 0;
  for (size_t at = html.find("<table>"); at != std::string::npos; at = html.find("<table>", at + 1)) {
    ++tables;
    CHECK(html.compare(at - 18, 18, "<div class=\"wide\">") == 0);
  }
  CHECK(tables >= 2);
  CHECK(Has(html, "@media (max-width:600px)"));
}

TEST_CASE("EscapeHtml escapes markup and quotes") {
  CHECK(EscapeHtml("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
  CHECK(EscapeHtml("Hà Nội") == "Hà Nội");
}

}  // namespace bridgecast::agenda
