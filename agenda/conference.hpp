#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "agenda/actor.hpp"
#include "agenda/command.hpp"
#include "agenda/conference_spec.hpp"
#include "agenda/conference_state.hpp"
#include "agenda/event.hpp"
#include "agenda/timestamp.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// Elapsed vs planned time of the item being presented (the chair's overrun view).
struct ItemProgress {
  std::size_t index = 0;
  Millis elapsed{0};  // over every run of the item, including the current one
  std::chrono::minutes planned{0};

  Millis overrun() const { return elapsed > planned ? elapsed - planned : Millis(0); }
};

// One conference: its plan and what has happened. Decide validates a command
// against the state and returns the events it causes without changing
// anything; Apply folds one event into the state. Replaying the journal is
// Apply alone. Every error code is listed in docs/protocol.md.
class Conference {
 public:
  static constexpr std::size_t kMaxDelegates = 100;
  static constexpr std::int64_t kMaxHeadcount = 10000;
  static constexpr std::size_t kMaxQuestionsPerPoint = 50;

  explicit Conference(ConferenceSpec spec);

  const ConferenceSpec& spec() const { return spec_; }
  const ConferenceState& state() const { return state_; }

  // Events come stamped max(now, time of the last event), seq 0.
  Result<std::vector<Event>> Decide(const Command& command, const Actor& actor,
                                    Timestamp now) const;
  // Never fails for events Decide produced; an event that does not fit the state
  // (a corrupt journal) is refused with bad_event and changes nothing.
  Status Apply(const Event& event);

  std::optional<ItemProgress> CurrentItemProgress(Timestamp now) const;
  std::optional<std::size_t> PointIndex(std::string_view point) const;
  std::optional<std::size_t> ItemIndex(std::string_view item) const;
  const Question* FindQuestion(QuestionId id) const;

  bool operator==(const Conference&) const = default;

 private:
  class Applier;

  ConferenceSpec spec_;
  ConferenceState state_;
};

}  // namespace bridgecast::agenda
