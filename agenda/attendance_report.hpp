#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agenda/conference.hpp"
#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

// Connected time and gaps count only the live window (start of the conference
// to its end, or to `now` while live): points join early to test their link,
// and that is not attendance. first_join is the real first connection.
struct PointAttendance {
  std::string point;
  std::string name;
  std::vector<Person> delegates;          // the latest check-in
  std::optional<std::int64_t> headcount;  // none: never checked in
  std::optional<Timestamp> first_join;
  Millis connected{0};
  std::vector<Interval> gaps;  // disconnected stretches inside the live window
};

struct AttendanceReport {
  std::string conference;
  std::string title;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> ended_at;
  std::vector<PointAttendance> points;  // roster order
};

AttendanceReport BuildAttendanceReport(const Conference& conference, Timestamp now);

nlohmann::json ToJson(const AttendanceReport& report);

// UTF-8 with a BOM (so spreadsheets read Vietnamese correctly), CRLF rows,
// RFC 4180 quoting; one row per point, delegates one per line in their cell.
std::string ToCsv(const AttendanceReport& report);

}  // namespace bridgecast::agenda
