#include "agenda/minutes.hpp"

#include <algorithm>
#include <cstdio>

#include "agenda/conference_spec_json.hpp"
#include "agenda/journal_runs.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

std::optional<MinutesLink> LinkAt(const std::string& review_url, std::optional<Millis> media) {
  if (!media) return std::nullopt;
  MinutesLink link{*media, {}};
  if (!review_url.empty()) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(media->count()) / 1000.0);
    link.url = review_url + "#t=" + seconds;
  }
  return link;
}

std::string PointName(const ConferenceSpec& spec, const std::string& point) {
  const BridgePointSpec* p = spec.FindPoint(point);
  return p ? p->name : point;
}

json Time(const std::optional<Timestamp>& t) { return t ? json(ToUnixMillis(*t)) : json(nullptr); }

json ToJson(const std::optional<MinutesLink>& link) {
  if (!link) return nullptr;
  json j = {{"media_ms", link->media.count()}};
  if (!link->url.empty()) j["url"] = link->url;
  return j;
}

}  // namespace

Minutes BuildMinutes(const Conference& conference, const std::vector<Event>& journal,
                     const ArchiveTimeline& timeline, const MinutesContext& context) {
  const ConferenceSpec& spec = conference.spec();
  const ConferenceState& s = conference.state();
  Minutes m;
  m.spec = &spec;
  m.started_at = s.started_at;
  m.ended_at = s.ended_at;
  m.utc_offset = context.utc_offset;
  m.recorded = timeline.duration;
  m.review_url = context.review_url;
  m.attendance = BuildAttendanceReport(conference, context.now);

  for (std::size_t i = 0; i < spec.agenda.size(); ++i) {
    MinutesItem item{spec.agenda[i].id, spec.agenda[i].title, spec.agenda[i].planned,
                     s.items[i].runs, Millis(0), {}};
    if (s.current && s.current->index == i) {
      item.runs.push_back(Interval{s.current->since, std::max(context.now, s.current->since)});
    }
    for (const Interval& run : item.runs) item.actual += run.end - run.start;
    for (const Chapter& chapter : timeline.chapters) {
      if (chapter.item == item.id) {
        item.chapters.push_back(*LinkAt(context.review_url, chapter.start));
      }
    }
    m.agenda.push_back(std::move(item));
  }

  for (const Question& q : s.questions) {
    std::optional<Millis> asked;
    for (const Marker& marker : timeline.markers) {
      if (marker.question == q.id && marker.type == ev::QuestionSubmitted::kType) {
        asked = marker.at;
      }
    }
    m.questions.push_back(
        MinutesQuestion{q, PointName(spec, q.point), LinkAt(context.review_url, asked)});
  }

  for (const Event& event : CurrentRun(journal)) {
    if (const auto* granted = std::get_if<ev::FloorGranted>(&event.payload)) {
      MinutesFloorGrant grant{granted->point, PointName(spec, granted->point), event.at};
      for (const SpeakingSegment& segment : timeline.speaking) {
        if (segment.seq != event.seq) continue;
        grant.link = LinkAt(context.review_url, segment.start);
        if (!segment.reason.empty()) grant.end_link = LinkAt(context.review_url, segment.end);
      }
      m.floor.push_back(std::move(grant));
    } else if (const auto* revoked = std::get_if<ev::FloorRevoked>(&event.payload)) {
      if (!m.floor.empty() && !m.floor.back().revoked) {
        m.floor.back().revoked = event.at;
        m.floor.back().reason = revoked->reason;
      }
    }
  }
  for (MinutesFloorGrant& grant : m.floor) {
    grant.duration = std::max(grant.revoked.value_or(context.now), grant.granted) - grant.granted;
  }
  return m;
}

json ToJson(const Minutes& m) {
  const ConferenceSpec& spec = *m.spec;
  json agenda = json::array();
  for (const MinutesItem& item : m.agenda) {
    json runs = json::array();
    for (const Interval& run : item.runs) {
      runs.push_back({{"start", ToUnixMillis(run.start)}, {"end", ToUnixMillis(run.end)}});
    }
    json chapters = json::array();
    for (const MinutesLink& link : item.chapters) chapters.push_back(ToJson(link));
    agenda.push_back({{"id", item.id},
                      {"title", item.title},
                      {"planned_minutes", item.planned.count()},
                      {"actual_ms", item.actual.count()},
                      {"runs", std::move(runs)},
                      {"recording", std::move(chapters)}});
  }

  json questions = json::array();
  for (const MinutesQuestion& mq : m.questions) {
    const Question& q = mq.question;
    questions.push_back({{"id", q.id},
                         {"point", q.point},
                         {"point_name", mq.point_name},
                         {"item", q.item},
                         {"text", q.text},
                         {"status", QuestionStatusName(q.status)},
                         {"reason", q.reason},
                         {"submitted_at", ToUnixMillis(q.submitted_at)},
                         {"recording", ToJson(mq.link)}});
  }

  json floor = json::array();
  for (const MinutesFloorGrant& f : m.floor) {
    floor.push_back({{"point", f.point},
                     {"point_name", f.point_name},
                     {"granted_at", ToUnixMillis(f.granted)},
                     {"revoked_at", Time(f.revoked)},
                     {"reason", f.reason},
                     {"duration_ms", f.duration.count()},
                     {"recording", ToJson(f.link)},
                     {"recording_end", ToJson(f.end_link)}});
  }

  return {{"conference", spec.id},
          {"title", spec.title},
          {"date", spec.date},
          {"timezone", spec.timezone},
          {"utc_offset_minutes",
           std::chrono::duration_cast<std::chrono::minutes>(m.utc_offset).count()},
          {"host", {{"id", spec.host_id}, {"name", spec.host_name}}},
          {"chair", {{"name", spec.chair.name}, {"title", spec.chair.title}}},
          {"started_at", Time(m.started_at)},
          {"ended_at", Time(m.ended_at)},
          {"agenda", std::move(agenda)},
          {"attendance", ToJson(m.attendance)},
          {"questions", std::move(questions)},
          {"floor", std::move(floor)},
          {"recording", {{"duration_ms", m.recorded.count()}, {"review_url", m.review_url}}}};
}

}  // namespace bridgecast::agenda
