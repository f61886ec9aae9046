#include "agenda/store/session_timeline.hpp"

#include <algorithm>

namespace bridgecast::agenda {

std::uint64_t CurrentLabel(const ConferenceStore& store, std::string_view session) {
  const Conference* conference = store.Find(session);
  return conference ? conference->state().rehearsals : 0;
}

std::vector<ArchivedSegment> PlayableSegments(const std::vector<ArchivedSegment>& segments,
                                              std::uint64_t rehearsal) {
  std::vector<ArchivedSegment> out;
  for (const ArchivedSegment& s : segments) {
    if (s.rehearsal == rehearsal && s.complete && s.duration > Millis(0)) out.push_back(s);
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
  const std::uint64_t label = conference->state().rehearsals;
  if (std::none_of(segments->begin(), segments->end(),
                   [&](const ArchivedSegment& s) { return s.rehearsal == label; })) {
    return Error{"unknown_session", "nothing recorded for " + std::string(session) +
                                        (label ? " since its last reset" : "")};
  }
  auto journal = store.EventsAfter(session, 0);
  if (!journal) return journal.error();
  std::vector<ArchivedSegment> playable = PlayableSegments(*segments, label);
  std::vector<RecordedSegment> recorded;
  for (const ArchivedSegment& s : playable) recorded.push_back({s.wall_start, s.duration});
  ArchiveTimeline timeline = BuildTimeline(conference->spec(), *journal, recorded);
  return SessionTimeline{std::move(*journal), std::move(playable), std::move(timeline)};
}

}  // namespace bridgecast::agenda
