#include "agenda/attendance_report.hpp"

#include <algorithm>

#include "agenda/conference_spec_json.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

// Connected intervals (sorted, disjoint) clipped to [from, to]: sums them and
// collects the holes between them.
void Measure(const std::vector<Interval>& connected, Timestamp from, Timestamp to,
             PointAttendance& out) {
  Timestamp cursor = from;
  for (const Interval& session : connected) {
    const Timestamp start = std::clamp(session.start, from, to);
    const Timestamp end = std::clamp(session.end, from, to);
    if (start >= end) continue;
    if (start > cursor) out.gaps.push_back(Interval{cursor, start});
    out.connected += end - start;
    cursor = std::max(cursor, end);
  }
  if (cursor < to) out.gaps.push_back(Interval{cursor, to});
}

// RFC 4180, plus a leading apostrophe on cells a spreadsheet would run as a
// formula (a delegate name is user input).
std::string Cell(const std::string& value) {
  std::string v = value;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(0, "'");
  if (v.find_first_of("\",\r\n") == std::string::npos) return v;
  std::string quoted = "\"";
  for (char c : v) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace

AttendanceReport BuildAttendanceReport(const Conference& conference, Timestamp now) {
  const ConferenceSpec& spec = conference.spec();
  const ConferenceState& s = conference.state();
  AttendanceReport report{spec.id, spec.title, s.started_at, s.ended_at, {}};
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    const PointState& p = s.points[i];
    PointAttendance a;
    a.point = spec.points[i].id;
    a.name = spec.points[i].name;
    if (p.checkin) {
      a.delegates = p.checkin->delegates;
      a.headcount = p.checkin->headcount;
    }
    std::vector<Interval> connected = p.sessions;
    if (p.connected_since) {
      connected.push_back(Interval{*p.connected_since, std::max(now, *p.connected_since)});
    }
    if (!connected.empty()) a.first_join = connected.front().start;
    if (s.started_at) {
      const Timestamp until = s.ended_at ? *s.ended_at : std::max(now, *s.started_at);
      Measure(connected, *s.started_at, until, a);
    }
    report.points.push_back(std::move(a));
  }
  return report;
}

json ToJson(const AttendanceReport& report) {
  const auto time = [](const std::optional<Timestamp>& t) {
    return t ? json(ToIso8601(*t)) : json(nullptr);
  };
  json points = json::array();
  for (const PointAttendance& p : report.points) {
    json gaps = json::array();
    for (const Interval& g : p.gaps) {
      gaps.push_back({{"start", ToIso8601(g.start)}, {"end", ToIso8601(g.end)}});
    }
    points.push_back({{"point", p.point},
                      {"name", p.name},
                      {"delegates", ToJson(p.delegates)},
                      {"headcount", p.headcount ? json(*p.headcount) : json(nullptr)},
                      {"first_join", time(p.first_join)},
                      {"connected_ms", p.connected.count()},
                      {"gaps", std::move(gaps)}});
  }
  return {{"conference", report.conference},
          {"title", report.title},
          {"started_at", time(report.started_at)},
          {"ended_at", time(report.ended_at)},
          {"points", std::move(points)}};
}

std::string ToCsv(const AttendanceReport& report) {
  std::string out = "\xEF\xBB\xBF";
  out += "point,name,headcount,delegates,first_join,connected_seconds,gap_count,gaps\r\n";
  for (const PointAttendance& p : report.points) {
    std::string delegates;
    for (const Person& d : p.delegates) {
      if (!delegates.empty()) delegates += '\n';
      delegates += d.title.empty() ? d.name : d.name + " (" + d.title + ")";
    }
    std::string gaps;
    for (const Interval& g : p.gaps) {
      if (!gaps.empty()) gaps += '\n';
      gaps += ToIso8601(g.start) + "/" + ToIso8601(g.end);
    }
    out += Cell(p.point) + ',' + Cell(p.name) + ',' +
           (p.headcount ? std::to_string(*p.headcount) : "") + ',' + Cell(delegates) + ',' +
           (p.first_join ? ToIso8601(*p.first_join) : "") + ',' +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(p.connected).count()) +
           ',' + std::to_string(p.gaps.size()) + ',' + Cell(gaps) + "\r\n";
  }
  return out;
}

}  // namespace bridgecast::agenda
