#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agenda/command.hpp"
#include "agenda/conference_spec.hpp"
#include "agenda/event.hpp"
#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

// One recorded media file, in archive order. The archive is these segments
// played back to back: its media time skips the gaps between them (the
// recorder was off, or the node was down).
struct RecordedSegment {
  Timestamp wall_start{};  // wall-clock time of its first frame
  Millis duration{0};
};

// A stretch of the recording in which one agenda item ran; an item revisited
// with agenda.goto has one chapter per run.
struct Chapter {
  std::string item;
  std::string title;
  Millis start{0};  // media time
  Millis end{0};
  bool operator==(const Chapter&) const = default;
};

// A moment worth jumping to: a question asked or settled, the floor given or taken.
struct Marker {
  std::string type;  // the event type, e.g. "question.submitted", "floor.granted"
  std::uint64_t seq = 0;  // of that event in the journal
  Millis at{0};      // media time
  std::string point;
  QuestionId question = 0;  // 0: not about a question
  std::string text;         // the question's text, for question.submitted
  bool operator==(const Marker&) const = default;
};

// One floor grant, as the stretch of the recording in which the point spoke;
// clipped to what was recorded like a chapter.
struct SpeakingSegment {
  std::string point;
  std::string point_name;
  std::uint64_t seq = 0;  // of its floor.granted in the journal
  Millis start{0};        // media time
  Millis end{0};          // to the end of the media while it still holds the floor
  std::string reason;     // why it ended, as floor.revoked says; empty: still speaking
  bool operator==(const SpeakingSegment&) const = default;
};

struct ArchiveTimeline {
  Millis duration{0};
  std::vector<Chapter> chapters;          // in media order
  std::vector<Marker> markers;            // in media order
  std::vector<SpeakingSegment> speaking;  // in media order
};

// Where the wall-clock instant `t` lies in the archive's media time: inside a
// segment, its offset; in a gap between segments, the start of the next one;
// before the first or after the last segment, nothing.
std::optional<Millis> MediaTimeAt(const std::vector<RecordedSegment>& segments, Timestamp t);

// Chapters from the journal's agenda.item_started/ended, clipped to what was
// recorded (an item that ran while nothing recorded has no chapter); an item
// still running at the end of the journal runs to the end of the media. Floor
// grants become speaking segments the same way. Only
// the current run counts (CurrentRun): a rehearsal has no chapter or marker,
// and `segments` must be the current run's too.
ArchiveTimeline BuildTimeline(const ConferenceSpec& spec, const std::vector<Event>& journal,
                              const std::vector<RecordedSegment>& segments);

nlohmann::json ToJson(const ArchiveTimeline& timeline);

}  // namespace bridgecast::agenda
