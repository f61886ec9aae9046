#include "agenda/conference_view.hpp"

#include "agenda/conference_spec_json.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

json Time(const std::optional<Timestamp>& t) { return t ? json(ToUnixMillis(*t)) : json(nullptr); }

bool SeesQuestionsOf(const Actor& viewer, const std::string& point) {
  return viewer.role != Role::kPoint || viewer.point == point;
}

}  // namespace

bool IsVisibleTo(const Event& event, const Actor& viewer) {
  return std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, ev::QuestionSubmitted> ||
                      std::is_same_v<T, ev::QuestionApproved> ||
                      std::is_same_v<T, ev::QuestionAnswered> ||
                      std::is_same_v<T, ev::QuestionRejected>) {
          return SeesQuestionsOf(viewer, p.point);
        } else {
          return true;
        }
      },
      event.payload);
}

json Snapshot(const Conference& conference, const Actor& viewer, Timestamp now) {
  const ConferenceSpec& spec = conference.spec();
  const ConferenceState& s = conference.state();

  json agenda = json::array();
  for (std::size_t i = 0; i < spec.agenda.size(); ++i) {
    json runs = json::array();
    for (const Interval& run : s.items[i].runs) {
      runs.push_back({{"start", ToUnixMillis(run.start)}, {"end", ToUnixMillis(run.end)}});
    }
    agenda.push_back({{"id", spec.agenda[i].id},
                      {"title", spec.agenda[i].title},
                      {"planned_minutes", spec.agenda[i].planned.count()},
                      {"qa", spec.agenda[i].questions_open},
                      {"runs", std::move(runs)}});
  }

  json current = nullptr;
  if (const auto progress = conference.CurrentItemProgress(now)) {
    current = {{"item", spec.agenda[progress->index].id},
               {"since", ToUnixMillis(s.current->since)},
               {"elapsed_ms", progress->elapsed.count()},
               {"planned_ms", Millis(progress->planned).count()},
               {"overrun_ms", progress->overrun().count()}};
  }

  json points = json::array();
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    const PointState& p = s.points[i];
    json checkin = nullptr;
    if (p.checkin) {
      checkin = {{"delegates", ToJson(p.checkin->delegates)},
                 {"headcount", p.checkin->headcount},
                 {"at", ToUnixMillis(p.checkin->at)}};
    }
    points.push_back({{"id", spec.points[i].id},
                      {"name", spec.points[i].name},
                      {"kind", spec.points[i].kind},
                      {"connected", p.connected_since.has_value()},
                      {"connected_since", Time(p.connected_since)},
                      {"checkin", std::move(checkin)}});
  }

  json hands = json::array();
  for (const RaisedHand& h : s.hands) {
    hands.push_back({{"point", h.point}, {"at", ToUnixMillis(h.at)}});
  }

  json questions = json::array();
  for (const Question& q : s.questions) {
    if (!SeesQuestionsOf(viewer, q.point)) continue;
    questions.push_back({{"id", q.id},
                         {"point", q.point},
                         {"item", q.item},
                         {"text", q.text},
                         {"status", QuestionStatusName(q.status)},
                         {"reason", q.reason},
                         {"submitted_at", ToUnixMillis(q.submitted_at)},
                         {"updated_at", ToUnixMillis(q.updated_at)}});
  }

  json floor = nullptr;
  if (s.floor) floor = {{"point", s.floor->point}, {"since", ToUnixMillis(s.floor->since)}};

  const json recording = {{"on", s.recording_since.has_value()},
                          {"since", Time(s.recording_since)}};

  return {{"conference", spec.id},         {"title", spec.title},
          {"planned_start", Time(spec.planned_start)},
          {"phase", PhaseName(s.phase)},   {"started_at", Time(s.started_at)},
          {"ended_at", Time(s.ended_at)},  {"agenda", std::move(agenda)},
          {"current", std::move(current)}, {"points", std::move(points)},
          {"hands", std::move(hands)},     {"questions", std::move(questions)},
          {"floor", std::move(floor)},     {"recording", recording},
          {"rehearsals", s.rehearsals}};
}

}  // namespace bridgecast::agenda
