#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agenda/command.hpp"
#include "agenda/conference_spec.hpp"
#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

// Events: what happened. Payloads carry everything Apply needs, already
// validated and normalised, so replaying them needs no rule.
namespace ev {

struct ConferenceStarted {
  static constexpr std::string_view kType = "conference.started";
  bool operator==(const ConferenceStarted&) const = default;
};
struct ConferenceEnded {
  static constexpr std::string_view kType = "conference.ended";
  bool operator==(const ConferenceEnded&) const = default;
};
// Last of its batch: the practice run numbered `rehearsal` (1, 2, ...) is over.
struct ConferenceReset {
  static constexpr std::string_view kType = "conference.reset";
  std::uint64_t rehearsal = 0;
  bool operator==(const ConferenceReset&) const = default;
};
struct ItemStarted {
  static constexpr std::string_view kType = "agenda.item_started";
  std::string item;
  bool operator==(const ItemStarted&) const = default;
};
struct ItemEnded {
  static constexpr std::string_view kType = "agenda.item_ended";
  std::string item;
  bool operator==(const ItemEnded&) const = default;
};
struct CheckedIn {
  static constexpr std::string_view kType = "attendance.checked_in";
  std::string point;
  std::vector<Person> delegates;
  std::int64_t headcount = 0;
  bool operator==(const CheckedIn&) const = default;
};
struct PointJoined {
  static constexpr std::string_view kType = "point.joined";
  std::string point;
  bool operator==(const PointJoined&) const = default;
};
struct PointLeft {
  static constexpr std::string_view kType = "point.left";
  std::string point;
  bool operator==(const PointLeft&) const = default;
};
struct HandRaised {
  static constexpr std::string_view kType = "hand.raised";
  std::string point;
  bool operator==(const HandRaised&) const = default;
};
struct HandLowered {
  static constexpr std::string_view kType = "hand.lowered";
  std::string point;
  // "lowered", "dismissed", "granted", "disconnected", "conference_ended", "reset"
  std::string reason;
  bool operator==(const HandLowered&) const = default;
};
struct QuestionSubmitted {
  static constexpr std::string_view kType = "question.submitted";
  QuestionId question = 0;
  std::string point;
  std::string item;  // may be empty
  std::string text;
  bool operator==(const QuestionSubmitted&) const = default;
};
struct QuestionApproved {
  static constexpr std::string_view kType = "question.approved";
  QuestionId question = 0;
  std::string point;
  bool operator==(const QuestionApproved&) const = default;
};
struct QuestionAnswered {
  static constexpr std::string_view kType = "question.answered";
  QuestionId question = 0;
  std::string point;
  bool operator==(const QuestionAnswered&) const = default;
};
struct QuestionRejected {
  static constexpr std::string_view kType = "question.rejected";
  QuestionId question = 0;
  std::string point;
  std::string reason;
  bool operator==(const QuestionRejected&) const = default;
};
struct FloorGranted {
  static constexpr std::string_view kType = "floor.granted";
  std::string point;
  bool operator==(const FloorGranted&) const = default;
};
struct FloorRevoked {
  static constexpr std::string_view kType = "floor.revoked";
  std::string point;
  std::string reason;  // "revoked", "disconnected", "conference_ended", "reset"
  bool operator==(const FloorRevoked&) const = default;
};

struct RecordingStarted {
  static constexpr std::string_view kType = "recording.started";
  bool operator==(const RecordingStarted&) const = default;
};
struct RecordingStopped {
  static constexpr std::string_view kType = "recording.stopped";
  std::string reason;  // "stopped", "conference_ended", "failed", "reset"
  std::string detail;  // why it failed; empty otherwise
  bool operator==(const RecordingStopped&) const = default;
};

struct SourceSelected {
  static constexpr std::string_view kType = "program.selected";
  std::string source;
  bool operator==(const SourceSelected&) const = default;
};

}  // namespace ev

using EventPayload =
    std::variant<ev::ConferenceStarted, ev::ConferenceEnded, ev::ConferenceReset, ev::ItemStarted,
                 ev::ItemEnded, ev::CheckedIn, ev::PointJoined, ev::PointLeft, ev::HandRaised,
                 ev::HandLowered, ev::QuestionSubmitted, ev::QuestionApproved, ev::QuestionAnswered,
                 ev::QuestionRejected, ev::FloorGranted, ev::FloorRevoked, ev::RecordingStarted,
                 ev::RecordingStopped, ev::SourceSelected>;

struct Event {
  std::uint64_t seq = 0;  // per conference, from 1; 0 until the journal assigns it
  Timestamp at{};
  EventPayload payload;

  std::string_view type() const {
    return std::visit([](const auto& p) { return std::decay_t<decltype(p)>::kType; }, payload);
  }
  bool operator==(const Event&) const = default;
};

}  // namespace bridgecast::agenda
