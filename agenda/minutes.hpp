#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agenda/archive_timeline.hpp"
#include "agenda/attendance_report.hpp"
#include "agenda/conference.hpp"

namespace bridgecast::agenda {

// What the minutes need besides the journal: where the recording is reviewed
// and how to print times.
struct MinutesContext {
  // Links into the recording are review_url + "#t=SECONDS"; empty: no links.
  std::string review_url;
  Millis utc_offset{0};  // of the conference's timezone at its date
  Timestamp now{};       // for a conference still running
};

struct MinutesLink {
  Millis media{0};
  std::string url;
};

struct MinutesItem {
  std::string id;
  std::string title;
  std::chrono::minutes planned{0};
  std::vector<Interval> runs;  // closed runs, then the open one up to `now`
  Millis actual{0};
  std::vector<MinutesLink> chapters;
};

struct MinutesQuestion {
  Question question;
  std::string point_name;
  std::optional<MinutesLink> link;
};

struct MinutesFloorGrant {
  std::string point;
  std::string point_name;
  Timestamp granted{};
  std::optional<Timestamp> revoked;  // none: still holds it
  std::string reason;                // why it ended
  Millis duration{0};                // granted to revoked, or to `now` while it holds it
  // Where its speaking segment starts and ends in the recording; no end while
  // it still holds the floor, neither if nothing of it was recorded.
  std::optional<MinutesLink> link;
  std::optional<MinutesLink> end_link;
};

// The record of one conference, all read from its journal: agenda with planned
// and actual times, attendance of every point, questions, floor grants, and
// links into the recording. Only the current run: the state forgets a
// rehearsal at its reset and the journal is cut with CurrentRun.
struct Minutes {
  const ConferenceSpec* spec = nullptr;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> ended_at;
  Millis utc_offset{0};
  std::vector<MinutesItem> agenda;
  AttendanceReport attendance;
  std::vector<MinutesQuestion> questions;
  std::vector<MinutesFloorGrant> floor;
  Millis recorded{0};
  std::string review_url;
};

Minutes BuildMinutes(const Conference& conference, const std::vector<Event>& journal,
                     const ArchiveTimeline& timeline, const MinutesContext& context);

nlohmann::json ToJson(const Minutes& minutes);

}  // namespace bridgecast::agenda
