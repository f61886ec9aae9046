#pragma once

#include <string_view>
#include <vector>

#include "agenda/archive_timeline.hpp"
#include "agenda/store/archive_index.hpp"
#include "agenda/store/conference_store.hpp"

namespace bridgecast::agenda {

// The segments a player gets, in archive order: complete and not empty. The
// HLS playlist, the export and the timeline all use exactly these, so media
// times agree between them.
std::vector<ArchivedSegment> PlayableSegments(const std::vector<ArchivedSegment>& segments);

// A session's journal and the timeline built from it and its playable
// segments; the journal comes along so the minutes need not read it again.
struct SessionTimeline {
  std::vector<Event> journal;
  ArchiveTimeline timeline;
};

// Errors: unknown_session (nothing recorded, or no journal of that conference),
// and those of the journal and the index.
Result<SessionTimeline> LoadTimeline(const ConferenceStore& store, const ArchiveIndex& index,
                                     std::string_view session);

}  // namespace bridgecast::agenda
