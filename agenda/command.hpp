#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agenda/conference_spec.hpp"

namespace bridgecast::agenda {

using QuestionId = std::uint64_t;

// Commands: what an actor asks for. Conference::Decide turns an accepted one
// into events. kType is the JSON "type" (see docs/protocol.md).
namespace cmd {

struct StartConference {
  static constexpr std::string_view kType = "conference.start";
  bool operator==(const StartConference&) const = default;
};
struct EndConference {
  static constexpr std::string_view kType = "conference.end";
  bool operator==(const EndConference&) const = default;
};
// Ends a practice run: back to scheduled for the real one (docs/protocol.md,
// "Rehearsal and reset").
struct ResetConference {
  static constexpr std::string_view kType = "conference.reset";
  bool operator==(const ResetConference&) const = default;
};

struct StartAgenda {
  static constexpr std::string_view kType = "agenda.start";
  bool operator==(const StartAgenda&) const = default;
};
struct NextItem {
  static constexpr std::string_view kType = "agenda.next";
  bool operator==(const NextItem&) const = default;
};
struct GotoItem {
  static constexpr std::string_view kType = "agenda.goto";
  std::string item;
  bool operator==(const GotoItem&) const = default;
};
struct EndItem {
  static constexpr std::string_view kType = "agenda.end_item";
  bool operator==(const EndItem&) const = default;
};

struct CheckIn {
  static constexpr std::string_view kType = "attendance.checkin";
  std::string point;  // empty: the acting point itself
  std::vector<Person> delegates;
  std::int64_t headcount = 0;
  bool operator==(const CheckIn&) const = default;
};

// Presence, from the node's connection tracking (Role::kSystem only).
struct JoinPoint {
  static constexpr std::string_view kType = "point.join";
  std::string point;
  bool operator==(const JoinPoint&) const = default;
};
struct LeavePoint {
  static constexpr std::string_view kType = "point.leave";
  std::string point;
  bool operator==(const LeavePoint&) const = default;
};

struct RaiseHand {
  static constexpr std::string_view kType = "hand.raise";
  bool operator==(const RaiseHand&) const = default;
};
struct LowerHand {
  static constexpr std::string_view kType = "hand.lower";
  std::string point;  // empty: the acting point itself; the chair names a point
  bool operator==(const LowerHand&) const = default;
};

struct SubmitQuestion {
  static constexpr std::string_view kType = "question.submit";
  std::string text;
  std::string item;  // empty: not tied to an agenda item
  bool operator==(const SubmitQuestion&) const = default;
};
struct ApproveQuestion {
  static constexpr std::string_view kType = "question.approve";
  QuestionId question = 0;
  bool operator==(const ApproveQuestion&) const = default;
};
struct AnswerQuestion {
  static constexpr std::string_view kType = "question.answer";
  QuestionId question = 0;
  bool operator==(const AnswerQuestion&) const = default;
};
struct RejectQuestion {
  static constexpr std::string_view kType = "question.reject";
  QuestionId question = 0;
  std::string reason;
  bool operator==(const RejectQuestion&) const = default;
};

struct GrantFloor {
  static constexpr std::string_view kType = "floor.grant";
  std::string point;
  bool operator==(const GrantFloor&) const = default;
};
struct RevokeFloor {
  static constexpr std::string_view kType = "floor.revoke";
  bool operator==(const RevokeFloor&) const = default;
};

struct StartRecording {
  static constexpr std::string_view kType = "recording.start";
  bool operator==(const StartRecording&) const = default;
};
struct StopRecording {
  static constexpr std::string_view kType = "recording.stop";
  bool operator==(const StopRecording&) const = default;
};
// The recorder could not write (Role::kSystem only): journaled so staff see it.
struct FailRecording {
  static constexpr std::string_view kType = "recording.fail";
  std::string detail;
  bool operator==(const FailRecording&) const = default;
};

// Puts an ingest source on air. The domain checks the id's form; whether the
// node has such a source is the node's check (docs/ingest.md).
struct SelectSource {
  static constexpr std::string_view kType = "program.select";
  std::string source;
  bool operator==(const SelectSource&) const = default;
};

}  // namespace cmd

using Command =
    std::variant<cmd::StartConference, cmd::EndConference, cmd::ResetConference,
                 cmd::StartAgenda, cmd::NextItem, cmd::GotoItem, cmd::EndItem, cmd::CheckIn,
                 cmd::JoinPoint, cmd::LeavePoint, cmd::RaiseHand, cmd::LowerHand, cmd::SubmitQuestion, cmd::ApproveQuestion,
                 cmd::AnswerQuestion, cmd::RejectQuestion, cmd::GrantFloor, cmd::RevokeFloor,
                 cmd::StartRecording, cmd::StopRecording, cmd::FailRecording, cmd::SelectSource>;

}  // namespace bridgecast::agenda
