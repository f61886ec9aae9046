#include "agenda/conference.hpp"

#include <algorithm>

#include "agenda/errors.hpp"
#include "agenda/text.hpp"

namespace bridgecast::agenda {
namespace {

using Events = std::vector<Event>;
using Decision = Result<Events>;

Error Fail(const char* code, std::string message) { return Error{code, std::move(message)}; }

// Decides one command; each operator() checks, in order: role, phase, the
// command's own rules. Nothing here mutates.
class Decider {
 public:
  Decider(const Conference& conference, const Actor& actor, Timestamp at)
      : c_(conference), s_(conference.state()), actor_(actor), at_(at) {}

  Decision operator()(const cmd::StartConference&) const {
    if (auto e = Require(Role::kChair)) return *e;
    if (s_.phase != Phase::kScheduled) {
      return Fail(errc::kNotScheduled, "the conference has already started");
    }
    Events out;
    Add(out, ev::ConferenceStarted{});
    if (!s_.recording_since) Add(out, ev::RecordingStarted{});
    return out;
  }

  Decision operator()(const cmd::EndConference&) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    Events out;
    if (s_.current) Add(out, ev::ItemEnded{ItemId(s_.current->index)});
    if (s_.floor) Add(out, ev::FloorRevoked{s_.floor->point, "conference_ended"});
    for (const RaisedHand& hand : s_.hands) {
      Add(out, ev::HandLowered{hand.point, "conference_ended"});
    }
    if (s_.recording_since) Add(out, ev::RecordingStopped{"conference_ended", {}});
    Add(out, ev::ConferenceEnded{});
    return out;
  }

  // Closes what the practice left open, like conference.end, so every interval
  // in the journal is closed before the state is cleared.
  Decision operator()(const cmd::ResetConference&) const {
    if (auto e = Require(Role::kChair, Role::kOperator)) return *e;
    if (s_.phase == Phase::kScheduled) {
      return Fail(errc::kNotStarted, "the conference has not started: nothing to reset");
    }
    Events out;
    if (s_.current) Add(out, ev::ItemEnded{ItemId(s_.current->index)});
    if (s_.floor) Add(out, ev::FloorRevoked{s_.floor->point, "reset"});
    for (const RaisedHand& hand : s_.hands) Add(out, ev::HandLowered{hand.point, "reset"});
    if (s_.recording_since) Add(out, ev::RecordingStopped{"reset", {}});
    Add(out, ev::ConferenceReset{s_.rehearsals + 1});
    return out;
  }

  Decision operator()(const cmd::StartAgenda&) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    if (s_.current) {
      return Fail(errc::kItemRunning, "item " + ItemId(s_.current->index) + " is running");
    }
    if (c_.spec().agenda.empty()) return Fail(errc::kNoNextItem, "the agenda is empty");
    return One(ev::ItemStarted{ItemId(0)});
  }

  Decision operator()(const cmd::NextItem&) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    const std::size_t next = s_.current     ? s_.current->index + 1
                             : s_.last_item ? *s_.last_item + 1
                                            : 0;
    if (next >= c_.spec().agenda.size()) {
      return Fail(errc::kNoNextItem, "no agenda item after this one");
    }
    return SwitchTo(next);
  }

  Decision operator()(const cmd::GotoItem& c) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    const auto index = c_.ItemIndex(c.item);
    if (!index) return Fail(errc::kUnknownItem, "no agenda item '" + c.item + "'");
    if (s_.current && s_.current->index == *index) {
      return Fail(errc::kItemCurrent, "item " + c.item + " is already running");
    }
    return SwitchTo(*index);
  }

  Decision operator()(const cmd::EndItem&) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    if (!s_.current) return Fail(errc::kNoCurrentItem, "no agenda item is running");
    return One(ev::ItemEnded{ItemId(s_.current->index)});
  }

  Decision operator()(const cmd::CheckIn& c) const {
    if (auto e = Require(Role::kPoint, Role::kOperator)) return *e;
    auto point = Target(c.point);
    if (!point) return point.error();
    if (s_.phase == Phase::kEnded) return Fail(errc::kConferenceEnded, "the conference has ended");
    if (c.delegates.size() > Conference::kMaxDelegates) {
      return Fail(errc::kTooManyDelegates,
                  "at most " + std::to_string(Conference::kMaxDelegates) + " named delegates");
    }
    ev::CheckedIn out{*point, {}, c.headcount};
    for (const Person& person : c.delegates) {
      auto name = CleanText(person.name, kNameRule);
      if (!name) return name.error();
      auto title = CleanText(person.title, kTitleRule);
      if (!title) return title.error();
      out.delegates.push_back(Person{std::move(*name), std::move(*title)});
    }
    if (c.headcount < static_cast<std::int64_t>(c.delegates.size()) ||
        c.headcount > Conference::kMaxHeadcount) {
      return Fail(errc::kBadHeadcount,
                  "headcount must be between the number of named delegates and " +
                      std::to_string(Conference::kMaxHeadcount));
    }
    return One(std::move(out));
  }

  Decision operator()(const cmd::JoinPoint& c) const {
    if (auto e = Require(Role::kSystem)) return *e;
    const auto index = c_.PointIndex(c.point);
    if (!index) return Fail(errc::kUnknownPoint, "point '" + c.point + "' is not in the roster");
    if (s_.points[*index].connected_since) {
      return Fail(errc::kAlreadyJoined, c.point + " is already connected");
    }
    return One(ev::PointJoined{c.point});
  }

  Decision operator()(const cmd::LeavePoint& c) const {
    if (auto e = Require(Role::kSystem)) return *e;
    const auto index = c_.PointIndex(c.point);
    if (!index) return Fail(errc::kUnknownPoint, "point '" + c.point + "' is not in the roster");
    if (!s_.points[*index].connected_since) {
      return Fail(errc::kNotJoined, c.point + " is not connected");
    }
    Events out;
    Add(out, ev::PointLeft{c.point});
    if (s_.floor && s_.floor->point == c.point) Add(out, ev::FloorRevoked{c.point, "disconnected"});
    if (HandRaised(c.point)) Add(out, ev::HandLowered{c.point, "disconnected"});
    return out;
  }

  Decision operator()(const cmd::RaiseHand&) const {
    if (auto e = RequireLive(Role::kPoint)) return *e;
    if (!Connected(actor_.point)) {
      return Fail(errc::kPointOffline, actor_.point + " is not connected");
    }
    if (HandRaised(actor_.point)) return Fail(errc::kHandRaised, "the hand is already raised");
    return One(ev::HandRaised{actor_.point});
  }

  Decision operator()(const cmd::LowerHand& c) const {
    if (auto e = RequireLive(Role::kPoint, Role::kChair)) return *e;
    auto point = Target(c.point);
    if (!point) return point.error();
    if (!HandRaised(*point)) return Fail(errc::kHandNotRaised, *point + " has no hand raised");
    return One(ev::HandLowered{*point, actor_.role == Role::kChair ? "dismissed" : "lowered"});
  }

  Decision operator()(const cmd::SubmitQuestion& c) const {
    if (auto e = RequireLive(Role::kPoint)) return *e;
    auto text = CleanText(c.text, kQuestionRule);
    if (!text) return text.error();
    if (!c.item.empty() && !c_.ItemIndex(c.item)) {
      return Fail(errc::kUnknownItem, "no agenda item '" + c.item + "'");
    }
    const auto asked = std::count_if(s_.questions.begin(), s_.questions.end(),
                                     [&](const Question& q) { return q.point == actor_.point; });
    if (static_cast<std::size_t>(asked) >= Conference::kMaxQuestionsPerPoint) {
      return Fail(
          errc::kTooManyQuestions,
          "at most " + std::to_string(Conference::kMaxQuestionsPerPoint) + " questions per point");
    }
    return One(ev::QuestionSubmitted{s_.question_base + s_.questions.size() + 1, actor_.point,
                                     c.item, std::move(*text)});
  }

  Decision operator()(const cmd::ApproveQuestion& c) const {
    auto q = Moderate(c.question, {QuestionStatus::kSubmitted});
    if (!q) return q.error();
    return One(ev::QuestionApproved{c.question, (*q)->point});
  }

  Decision operator()(const cmd::AnswerQuestion& c) const {
    auto q = Moderate(c.question, {QuestionStatus::kSubmitted, QuestionStatus::kApproved});
    if (!q) return q.error();
    return One(ev::QuestionAnswered{c.question, (*q)->point});
  }

  Decision operator()(const cmd::RejectQuestion& c) const {
    auto q = Moderate(c.question, {QuestionStatus::kSubmitted, QuestionStatus::kApproved});
    if (!q) return q.error();
    auto reason = CleanText(c.reason, kReasonRule);
    if (!reason) return reason.error();
    return One(ev::QuestionRejected{c.question, (*q)->point, std::move(*reason)});
  }

  Decision operator()(const cmd::GrantFloor& c) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    if (!c_.PointIndex(c.point)) {
      return Fail(errc::kUnknownPoint, "point '" + c.point + "' is not in the roster");
    }
    if (!Connected(c.point)) return Fail(errc::kPointOffline, c.point + " is not connected");
    if (s_.floor) return Fail(errc::kFloorBusy, s_.floor->point + " holds the floor");
    Events out;
    if (HandRaised(c.point)) Add(out, ev::HandLowered{c.point, "granted"});
    Add(out, ev::FloorGranted{c.point});
    return out;
  }

  Decision operator()(const cmd::RevokeFloor&) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    if (!s_.floor) return Fail(errc::kFloorFree, "nobody holds the floor");
    return One(ev::FloorRevoked{s_.floor->point, "revoked"});
  }

  Decision operator()(const cmd::StartRecording&) const {
    if (auto e = Require(Role::kChair, Role::kOperator)) return *e;
    if (s_.phase == Phase::kEnded) return Fail(errc::kConferenceEnded, "the conference has ended");
    if (s_.recording_since) return Fail(errc::kRecording, "the recorder is already on");
    return One(ev::RecordingStarted{});
  }

  Decision operator()(const cmd::StopRecording&) const {
    if (auto e = Require(Role::kChair, Role::kOperator)) return *e;
    if (!s_.recording_since) return Fail(errc::kNotRecording, "the recorder is off");
    return One(ev::RecordingStopped{"stopped", {}});
  }

  Decision operator()(const cmd::SelectSource& c) const {
    if (auto e = Require(Role::kChair, Role::kOperator)) return *e;
    if (!IsSourceId(c.source)) return Fail(errc::kBadCommand, "a source id is 1..32 of a-z, 0-9, '-', '_'");
    return One(ev::SourceSelected{c.source});
  }

  Decision operator()(const cmd::FailRecording& c) const {
    if (auto e = Require(Role::kSystem)) return *e;
    if (!s_.recording_since) return Fail(errc::kNotRecording, "the recorder is off");
    return One(ev::RecordingStopped{"failed", c.detail});
  }

 private:
  // forbidden unless the actor has one of `roles`; a point must be in the roster.
  template <typename... R>
  std::optional<Error> Require(R... roles) const {
    if (((actor_.role != roles) && ...)) {
      return Fail(errc::kForbidden,
                  "the " + std::string(RoleName(actor_.role)) + " may not do this");
    }
    if (actor_.role == Role::kPoint && !c_.PointIndex(actor_.point)) {
      return Fail(errc::kUnknownPoint, "point '" + actor_.point + "' is not in the roster");
    }
    return std::nullopt;
  }

  template <typename... R>
  std::optional<Error> RequireLive(R... roles) const {
    if (auto e = Require(roles...)) return e;
    if (s_.phase == Phase::kScheduled) {
      return Fail(errc::kNotLive, "the conference has not started");
    }
    if (s_.phase == Phase::kEnded) return Fail(errc::kNotLive, "the conference has ended");
    return std::nullopt;
  }

  // The point a command acts on: a point acts only for itself, others name one.
  Result<std::string> Target(const std::string& named) const {
    if (actor_.role == Role::kPoint) {
      if (!named.empty() && named != actor_.point) {
        return Fail(errc::kForbidden, "a point acts only for itself");
      }
      return actor_.point;
    }
    if (!c_.PointIndex(named)) {
      return Fail(errc::kUnknownPoint, "point '" + named + "' is not in the roster");
    }
    return named;
  }

  Result<const Question*> Moderate(QuestionId id,
                                   std::initializer_list<QuestionStatus> from) const {
    if (auto e = RequireLive(Role::kChair)) return *e;
    const Question* q = c_.FindQuestion(id);
    if (!q) return Fail(errc::kUnknownQuestion, "no question " + std::to_string(id));
    if (std::find(from.begin(), from.end(), q->status) == from.end()) {
      return Fail(errc::kBadQuestionState, "question " + std::to_string(id) + " is " +
                                               std::string(QuestionStatusName(q->status)));
    }
    return q;
  }

  Decision SwitchTo(std::size_t index) const {
    Events out;
    if (s_.current) Add(out, ev::ItemEnded{ItemId(s_.current->index)});
    Add(out, ev::ItemStarted{ItemId(index)});
    return out;
  }

  bool Connected(const std::string& point) const {
    const auto index = c_.PointIndex(point);
    return index && s_.points[*index].connected_since.has_value();
  }
  bool HandRaised(const std::string& point) const {
    return std::any_of(s_.hands.begin(), s_.hands.end(),
                       [&](const RaisedHand& h) { return h.point == point; });
  }
  const std::string& ItemId(std::size_t index) const { return c_.spec().agenda[index].id; }

  void Add(Events& out, EventPayload payload) const {
    out.push_back(Event{0, at_, std::move(payload)});
  }
  Decision One(EventPayload payload) const {
    Events out;
    Add(out, std::move(payload));
    return out;
  }

  const Conference& c_;
  const ConferenceState& s_;
  const Actor& actor_;
  Timestamp at_;
};

Error BadEvent(const Event& event, const std::string& why) {
  return Error{errc::kBadEvent,
               std::string(event.type()) + " at seq " + std::to_string(event.seq) + ": " + why};
}

}  // namespace

// Folds one event into the state. Checks only what it must not trust (indices,
// an open interval to close) so a corrupt journal is an error, not a crash.
class Conference::Applier {
 public:
  Applier(Conference& conference, const Event& event)
      : c_(conference), s_(conference.state_), e_(event) {}

  Status operator()(const ev::ConferenceStarted&) {
    s_.phase = Phase::kLive;
    s_.started_at = e_.at;
    return Ok{};
  }
  Status operator()(const ev::ConferenceEnded&) {
    s_.phase = Phase::kEnded;
    s_.ended_at = e_.at;
    return Ok{};
  }
  // The batch has already closed the item, floor, hands and recorder. What the
  // practice left behind goes; points still connected attend from now on.
  Status operator()(const ev::ConferenceReset& p) {
    if (s_.phase == Phase::kScheduled || p.rehearsal != s_.rehearsals + 1 || s_.current ||
        s_.floor || !s_.hands.empty() || s_.recording_since) {
      return BadEvent(e_, "the conference cannot be reset");
    }
    s_.phase = Phase::kScheduled;
    s_.started_at.reset();
    s_.ended_at.reset();
    for (ItemState& item : s_.items) item.runs.clear();
    s_.last_item.reset();
    for (PointState& point : s_.points) {
      point.checkin.reset();
      point.sessions.clear();
      if (point.connected_since) point.connected_since = e_.at;
    }
    s_.question_base += s_.questions.size();
    s_.questions.clear();
    s_.recordings.clear();
    s_.rehearsals = p.rehearsal;
    return Ok{};
  }
  Status operator()(const ev::ItemStarted& p) {
    const auto index = c_.ItemIndex(p.item);
    if (!index || s_.current) return BadEvent(e_, "item cannot start");
    s_.current = CurrentItem{*index, e_.at};
    s_.last_item = *index;
    return Ok{};
  }
  Status operator()(const ev::ItemEnded& p) {
    const auto index = c_.ItemIndex(p.item);
    if (!index || !s_.current || s_.current->index != *index) {
      return BadEvent(e_, "item is not running");
    }
    s_.items[*index].runs.push_back(Interval{s_.current->since, e_.at});
    s_.current.reset();
    return Ok{};
  }
  Status operator()(const ev::CheckedIn& p) {
    PointState* point = Point(p.point);
    if (!point) return BadEvent(e_, "unknown point");
    point->checkin = CheckInRecord{p.delegates, p.headcount, e_.at};
    return Ok{};
  }
  Status operator()(const ev::PointJoined& p) {
    PointState* point = Point(p.point);
    if (!point || point->connected_since) return BadEvent(e_, "point cannot join");
    point->connected_since = e_.at;
    return Ok{};
  }
  Status operator()(const ev::PointLeft& p) {
    PointState* point = Point(p.point);
    if (!point || !point->connected_since) return BadEvent(e_, "point is not connected");
    point->sessions.push_back(Interval{*point->connected_since, e_.at});
    point->connected_since.reset();
    return Ok{};
  }
  Status operator()(const ev::HandRaised& p) {
    if (!Point(p.point)) return BadEvent(e_, "unknown point");
    s_.hands.push_back(RaisedHand{p.point, e_.at});
    return Ok{};
  }
  Status operator()(const ev::HandLowered& p) {
    const auto it = std::find_if(s_.hands.begin(), s_.hands.end(),
                                 [&](const RaisedHand& h) { return h.point == p.point; });
    if (it == s_.hands.end()) return BadEvent(e_, "hand not raised");
    s_.hands.erase(it);
    return Ok{};
  }
  Status operator()(const ev::QuestionSubmitted& p) {
    if (p.question != s_.question_base + s_.questions.size() + 1 || !Point(p.point)) {
      return BadEvent(e_, "bad question");
    }
    s_.questions.push_back(Question{
        p.question, p.point, p.item, p.text, QuestionStatus::kSubmitted, {}, e_.at, e_.at});
    return Ok{};
  }
  Status operator()(const ev::QuestionApproved& p) {
    return Moderate(p.question, QuestionStatus::kApproved, {});
  }
  Status operator()(const ev::QuestionAnswered& p) {
    return Moderate(p.question, QuestionStatus::kAnswered, {});
  }
  Status operator()(const ev::QuestionRejected& p) {
    return Moderate(p.question, QuestionStatus::kRejected, p.reason);
  }
  Status operator()(const ev::FloorGranted& p) {
    if (!Point(p.point) || s_.floor) return BadEvent(e_, "floor cannot be granted");
    s_.floor = FloorHolder{p.point, e_.at};
    return Ok{};
  }
  Status operator()(const ev::FloorRevoked& p) {
    if (!s_.floor || s_.floor->point != p.point) return BadEvent(e_, "floor not held by the point");
    s_.floor.reset();
    return Ok{};
  }

  Status operator()(const ev::RecordingStarted&) {
    if (s_.recording_since) return BadEvent(e_, "the recorder is already on");
    s_.recording_since = e_.at;
    return Ok{};
  }
  Status operator()(const ev::SourceSelected& p) {
    s_.program_source = p.source;
    return Ok{};
  }
  Status operator()(const ev::RecordingStopped&) {
    if (!s_.recording_since) return BadEvent(e_, "the recorder is off");
    s_.recordings.push_back(Interval{*s_.recording_since, e_.at});
    s_.recording_since.reset();
    return Ok{};
  }

 private:
  PointState* Point(const std::string& id) {
    const auto index = c_.PointIndex(id);
    return index ? &s_.points[*index] : nullptr;
  }
  Status Moderate(QuestionId id, QuestionStatus status, const std::string& reason) {
    if (!c_.FindQuestion(id)) return BadEvent(e_, "unknown question");
    Question& q = s_.questions[id - s_.question_base - 1];
    q.status = status;
    q.reason = reason;
    q.updated_at = e_.at;
    return Ok{};
  }

  Conference& c_;
  ConferenceState& s_;
  const Event& e_;
};

Conference::Conference(ConferenceSpec spec) : spec_(std::move(spec)) {
  state_.items.resize(spec_.agenda.size());
  state_.points.resize(spec_.points.size());
}

Result<std::vector<Event>> Conference::Decide(const Command& command, const Actor& actor,
                                              Timestamp now) const {
  return std::visit(Decider(*this, actor, std::max(now, state_.last_at)), command);
}

Status Conference::Apply(const Event& event) {
  Status applied = std::visit(Applier(*this, event), event.payload);
  if (applied) state_.last_at = std::max(state_.last_at, event.at);
  return applied;
}

std::optional<ItemProgress> Conference::CurrentItemProgress(Timestamp now) const {
  if (!state_.current) return std::nullopt;
  const std::size_t index = state_.current->index;
  Millis elapsed = std::max(Millis(0), now - state_.current->since);
  for (const Interval& run : state_.items[index].runs) elapsed += run.end - run.start;
  return ItemProgress{index, elapsed, spec_.agenda[index].planned};
}

std::optional<std::size_t> Conference::PointIndex(std::string_view point) const {
  for (std::size_t i = 0; i < spec_.points.size(); ++i) {
    if (spec_.points[i].id == point) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> Conference::ItemIndex(std::string_view item) const {
  for (std::size_t i = 0; i < spec_.agenda.size(); ++i) {
    if (spec_.agenda[i].id == item) return i;
  }
  return std::nullopt;
}

const Question* Conference::FindQuestion(QuestionId id) const {
  if (id <= state_.question_base || id - state_.question_base > state_.questions.size()) {
    return nullptr;  // never asked, or asked in a rehearsal
  }
  return &state_.questions[id - state_.question_base - 1];
}

}  // namespace bridgecast::agenda
