#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "agenda/archive_timeline.hpp"
#include "agenda/store/archive_index.hpp"
#include "agenda/store/conference_store.hpp"

namespace bridgecast::agenda {

// The archive label of the conference's current run: its resets so far (0
// when the store has no journal of it). Runs of older labels are rehearsals.
std::uint64_t CurrentLabel(const ConferenceStore& store, std::string_view session);

// The segments a player gets, in archive order: those of `rehearsal`'s runs,
// complete and not empty. The HLS playlist, the export and the timeline all
// use exactly these, so media times agree between them.
std::vector<ArchivedSegment> PlayableSegments(const std::vector<ArchivedSegment>& segments,
                                              std::uint64_t rehearsal);

// A session's journal, the current run's playable segments and the timeline
// built from both; the journal comes along so the minutes need not read it
// again.
struct SessionTimeline {
  std::vector<Event> journal;
  std::vector<ArchivedSegment> segments;
  ArchiveTimeline timeline;
};

// Errors: unknown_session (nothing recorded in the current run, or no journal
// of that conference), and those of the journal and the index.
Result<SessionTimeline> LoadTimeline(const ConferenceStore& store, const ArchiveIndex& index,
                                     std::string_view session);

}  // namespace bridgecast::agenda
