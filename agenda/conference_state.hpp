#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agenda/command.hpp"
#include "agenda/conference_spec.hpp"
#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

enum class Phase { kScheduled, kLive, kEnded };

struct Interval {
  Timestamp start{};
  Timestamp end{};
  bool operator==(const Interval&) const = default;
};

// One agenda item; an item revisited with agenda.goto has several runs.
struct ItemState {
  std::vector<Interval> runs;  // closed runs; the open one is ConferenceState::current
  bool operator==(const ItemState&) const = default;
};

struct CurrentItem {
  std::size_t index = 0;  // into ConferenceSpec::agenda
  Timestamp since{};
  bool operator==(const CurrentItem&) const = default;
};

struct CheckInRecord {
  std::vector<Person> delegates;
  std::int64_t headcount = 0;
  Timestamp at{};
  bool operator==(const CheckInRecord&) const = default;
};

struct PointState {
  std::optional<CheckInRecord> checkin;  // the latest; earlier ones stay in the journal
  std::optional<Timestamp> connected_since;
  std::vector<Interval> sessions;  // closed connections, oldest first
  bool operator==(const PointState&) const = default;
};

struct RaisedHand {
  std::string point;
  Timestamp at{};
  bool operator==(const RaisedHand&) const = default;
};

enum class QuestionStatus { kSubmitted, kApproved, kAnswered, kRejected };

struct Question {
  QuestionId id = 0;
  std::string point;
  std::string item;
  std::string text;
  QuestionStatus status = QuestionStatus::kSubmitted;
  std::string reason;  // for kRejected
  Timestamp submitted_at{};
  Timestamp updated_at{};
  bool operator==(const Question&) const = default;
};

struct FloorHolder {
  std::string point;
  Timestamp since{};
  bool operator==(const FloorHolder&) const = default;
};

// Everything the events have established: a plain value, so a replayed
// conference can be compared with the live one.
struct ConferenceState {
  Phase phase = Phase::kScheduled;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> ended_at;
  std::vector<ItemState> items;  // parallel to ConferenceSpec::agenda
  std::optional<CurrentItem> current;
  std::optional<std::size_t> last_item;  // the item most recently run, for agenda.next
  std::vector<PointState> points;        // parallel to ConferenceSpec::points
  std::vector<RaisedHand> hands;         // FIFO
  std::vector<Question> questions;       // ids question_base+1.. in order
  QuestionId question_base = 0;          // ids used by rehearsals: never reused
  std::optional<FloorHolder> floor;
  std::optional<Timestamp> recording_since;  // the recorder is on
  std::vector<Interval> recordings;          // closed recording spans, oldest first
  std::uint64_t rehearsals = 0;              // conference.reset events so far
  std::string program_source;  // the source last put on air; empty: the node's default
  Timestamp last_at{};  // time of the newest event, so time never runs backwards
  bool operator==(const ConferenceState&) const = default;
};

std::string_view PhaseName(Phase phase);
std::string_view QuestionStatusName(QuestionStatus status);

}  // namespace bridgecast::agenda
