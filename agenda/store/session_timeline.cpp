#include "agenda/store/session_timeline.hpp"

namespace bridgecast::agenda {

std::vector<ArchivedSegment> PlayableSegments(const std::vector<ArchivedSegment>& segments) {
  std::vector<ArchivedSegment> out;
  for (const ArchivedSegment& s : segments) {
    if (s.complete && s.duration > Millis(0)) out.push_back(s);
  }
  return out;
}

Result<SessionTimeline> LoadTimeline(const ConferenceStore& store, const ArchiveIndex& index,
                                     std::string_view session) {
  const Conference* conference = store.Find(session);
  if (!conference) {
    return Error{"unknown_session", "no journal of conference " + std::string(session)};
  }
  auto segments = index.Segments(session);
  if (!segments) return segments.error();
  if (segments->empty()) {
    return Error{"unknown_session", "nothing recorded for " + std::string(session)};
  }
  auto journal = store.EventsAfter(session, 0);
  if (!journal) return journal.error();
  std::vector<RecordedSegment> recorded;
  for (const ArchivedSegment& s : PlayableSegments(*segments)) {
    recorded.push_back({s.wall_start, s.duration});
  }
  ArchiveTimeline timeline = BuildTimeline(conference->spec(), *journal, recorded);
  return SessionTimeline{std::move(*journal), std::move(timeline)};
}

}  // namespace bridgecast::agenda
