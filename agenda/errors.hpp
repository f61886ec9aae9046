#pragma once

// Stable error codes of the conference domain; docs/protocol.md explains each one.
namespace bridgecast::agenda::errc {

inline constexpr const char* kBadCommand = "bad_command";
inline constexpr const char* kForbidden = "forbidden";
inline constexpr const char* kNotScheduled = "not_scheduled";
inline constexpr const char* kNotLive = "not_live";
inline constexpr const char* kNotStarted = "not_started";
inline constexpr const char* kConferenceEnded = "conference_ended";
inline constexpr const char* kUnknownPoint = "unknown_point";
inline constexpr const char* kUnknownItem = "unknown_item";
inline constexpr const char* kUnknownQuestion = "unknown_question";
inline constexpr const char* kBadText = "bad_text";
inline constexpr const char* kTooManyDelegates = "too_many_delegates";
inline constexpr const char* kBadHeadcount = "bad_headcount";
inline constexpr const char* kTooManyQuestions = "too_many_questions";
inline constexpr const char* kItemRunning = "item_running";
inline constexpr const char* kItemCurrent = "item_current";
inline constexpr const char* kNoCurrentItem = "no_current_item";
inline constexpr const char* kNoNextItem = "no_next_item";
inline constexpr const char* kAlreadyJoined = "already_joined";
inline constexpr const char* kNotJoined = "not_joined";
inline constexpr const char* kPointOffline = "point_offline";
inline constexpr const char* kHandRaised = "hand_raised";
inline constexpr const char* kHandNotRaised = "hand_not_raised";
inline constexpr const char* kFloorBusy = "floor_busy";
inline constexpr const char* kFloorFree = "floor_free";
inline constexpr const char* kBadQuestionState = "bad_question_state";
inline constexpr const char* kRecording = "recording";
inline constexpr const char* kNotRecording = "not_recording";
// Store and journal.
inline constexpr const char* kBadConference = "bad_conference";  // as agenda::Validate
inline constexpr const char* kUnknownConference = "unknown_conference";
inline constexpr const char* kConferenceChanged = "conference_changed";
inline constexpr const char* kBadEvent = "bad_event";
inline constexpr const char* kCorruptJournal = "corrupt_journal";
inline constexpr const char* kJournalError = "journal_error";

}  // namespace bridgecast::agenda::errc
