#include "agenda/attendance_report.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "agenda/conference_spec_json.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;
using test::Harness;

const std::string kBom = "\xEF\xBB\xBF";

}  // namespace

TEST_CASE("the attendance report measures presence inside the live window") {
  Harness h;  // 08:00 Hà Nội = 01:00Z
  const Actor sys = Actor::System();
  h.Ok(cmd::JoinPoint{"ha-noi"}, sys);  // joins 10 min early to test the link
  h.Ok(cmd::CheckIn{"", {{"Ph\x61\xCC\xA3m Văn Ha\xCC\xA3\xCC\x82u", "Phó Bí thư"}}, 30},
       Actor::Point("ha-noi"));
  h.clock.Advance(10min);
  h.Ok(cmd::StartConference{}, Actor::Chair());  // 01:10Z
  h.clock.Advance(5min);
  h.Ok(cmd::JoinPoint{"da-nang"}, sys);  // 01:15Z
  h.clock.Advance(20min);
  h.Ok(cmd::LeavePoint{"ha-noi"}, sys);  // 01:35Z
  h.clock.Advance(2min);
  h.Ok(cmd::JoinPoint{"ha-noi"}, sys);  // 01:37Z
  h.clock.Advance(23min);
  h.Ok(cmd::EndConference{}, Actor::Chair());  // 02:00Z
  h.clock.Advance(30min);                      // still connected after the end: does not count

  const AttendanceReport report = BuildAttendanceReport(h.conference, h.clock.now);
  REQUIRE(report.points.size() == 3);
  const PointAttendance& hn = report.points[0];
  CHECK(hn.point == "ha-noi");
  CHECK(hn.name == "Thành ủy Hà Nội");
  REQUIRE(hn.delegates.size() == 1);
  CHECK(hn.delegates[0].name ==
        "Ph\xE1\xBA\xA1m V\xC4\x83n H\xE1\xBA\xADu");  // NFC: "Phạm Văn Hậu"
  CHECK(hn.headcount == 30);
  CHECK(hn.first_join == FromUnixMillis(1700096400000));
  CHECK(hn.connected == 48min);
  REQUIRE(hn.gaps.size() == 1);
  CHECK(ToIso8601(hn.gaps[0].start) == "2023-11-16T01:35:00.000Z");
  CHECK(ToIso8601(hn.gaps[0].end) == "2023-11-16T01:37:00.000Z");

  const PointAttendance& dn = report.points[1];
  CHECK_FALSE(dn.headcount);
  CHECK(dn.connected == 45min);
  REQUIRE(dn.gaps.size() == 1);
  CHECK(dn.gaps[0].end - dn.gaps[0].start == 5min);

  const PointAttendance& st = report.points[2];
  CHECK_FALSE(st.first_join);
  CHECK(st.connected == 0ms);
  REQUIRE(st.gaps.size() == 1);  // the whole conference
  CHECK(st.gaps[0].end - st.gaps[0].start == 50min);

  const nlohmann::json j = ToJson(report);
  CHECK(j["started_at"] == "2023-11-16T01:10:00.000Z");
  CHECK(j["points"][0]["delegates"][0]["name"] == "Phạm Văn Hậu");
  CHECK(j["points"][0]["connected_ms"] == 48 * 60 * 1000);
  CHECK(j["points"][1]["headcount"].is_null());
  CHECK(j["points"][2]["first_join"].is_null());
}

TEST_CASE("while live the window runs to now, and before the start nothing counts") {
  Harness h;
  h.Ok(cmd::JoinPoint{"ha-noi"}, Actor::System());
  h.clock.Advance(5min);
  CHECK(BuildAttendanceReport(h.conference, h.clock.now).points[0].connected == 0ms);
  CHECK(BuildAttendanceReport(h.conference, h.clock.now).points[0].gaps.empty());
  h.Ok(cmd::StartConference{}, Actor::Chair());
  h.clock.Advance(7min);
  const AttendanceReport report = BuildAttendanceReport(h.conference, h.clock.now);
  CHECK(report.points[0].connected == 7min);
  CHECK(report.points[0].gaps.empty());
  CHECK(report.points[1].gaps.size() == 1);
}

TEST_CASE("the CSV has a BOM, CRLF rows and RFC 4180 quoting") {
  Harness h;
  h.Ok(
      cmd::CheckIn{
          "", {{"Lâm Đông", "UVTV, Trưởng Ban"}, {"Nguyễn \"Út\" Văn", ""}, {"=1+1", ""}}, 3},
      Actor::Point("soc-trang"));
  const std::string csv = ToCsv(BuildAttendanceReport(h.conference, h.clock.now));
  REQUIRE(csv.rfind(kBom, 0) == 0);
  const std::string header =
      "point,name,headcount,delegates,first_join,connected_seconds,gap_count,gaps\r\n";
  CHECK(csv.substr(kBom.size(), header.size()) == header);
  CHECK(csv.find("ha-noi,Thành ủy Hà Nội,,,,0,0,\r\n") != std::string::npos);
  CHECK(csv.find("soc-trang,Tỉnh ủy Sóc Trăng,3,\"Lâm Đông (UVTV, Trưởng Ban)\nNguyễn \"\"Út\"\" "
                 "Văn\n=1+1\",,0,0,\r\n") != std::string::npos);

  SECTION("a cell a spreadsheet would evaluate is defused") {
    h.Ok(cmd::CheckIn{"", {{"=HYPERLINK(\"x\")", ""}}, 1}, Actor::Point("da-nang"));
    const std::string again = ToCsv(BuildAttendanceReport(h.conference, h.clock.now));
    CHECK(again.find("da-nang,Thành ủy Đà Nẵng,1,\"'=HYPERLINK(\"\"x\"\")\",") !=
          std::string::npos);
  }
}

TEST_CASE("the reference conference reports all 67 points with its delegates' exact names") {
  const ConferenceSpec spec = test::ReferenceConference();
  Harness h(spec);
  for (const BridgePointSpec& point : spec.points) {
    h.Ok(cmd::JoinPoint{point.id}, Actor::System());
  }
  h.Ok(cmd::StartConference{}, Actor::Chair());
  const BridgePointSpec& soc_trang = *spec.FindPoint("soc-trang");
  h.Ok(cmd::CheckIn{"", soc_trang.expected_delegates, 25}, Actor::Point("soc-trang"));
  h.clock.Advance(3h);
  h.Ok(cmd::EndConference{}, Actor::Chair());

  const AttendanceReport report = BuildAttendanceReport(h.conference, h.clock.now);
  REQUIRE(report.points.size() == 67);
  for (const PointAttendance& p : report.points) CHECK(p.connected == 3h);
  const std::string csv = ToCsv(report);
  CHECK(csv.find("soc-trang,Tỉnh ủy Sóc Trăng,25,\"Phạm Văn Hậu (Phó Bí thư Thường trực Tỉnh ủy, "
                 "Chủ tịch HĐND tỉnh)\nLâm Đông (UVTV Tỉnh ủy, Trưởng Ban Tổ chức Tỉnh ủy)\",") !=
        std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 67 + 1);  // header, rows, one in a cell
}

}  // namespace bridgecast::agenda
