#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agenda/actor.hpp"
#include "agenda/command.hpp"
#include "agenda/conference.hpp"
#include "agenda/event.hpp"
#include "agenda/store/event_journal.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// The conferences of one node and their journal. Execute is the only way to
// change a conference: decide, journal, then apply — so what clients are told
// is always already on disk, and a restart (Open) rebuilds the same state.
// Owned by the main loop thread; not thread-safe.
class ConferenceStore {
 public:
  // Opens (or creates) the journal and replays every conference in it. A row
  // that does not decode or does not fit the state is corrupt_journal.
  static Result<std::unique_ptr<ConferenceStore>> Open(const std::string& path);

  // Registers a conference. Already there with the same spec: Ok. With a
  // different spec: conference_changed (its journal was written against the
  // old agenda and roster).
  Status Add(const ConferenceSpec& spec);

  // Events appended and applied, with their seqs; or the domain's error and no change.
  Result<std::vector<Event>> Execute(std::string_view conference, const Command& command,
                                     const Actor& actor, Timestamp now);

  const Conference* Find(std::string_view conference) const;
  std::vector<std::string> ConferenceIds() const;
  // Seq of the newest event; 0 before the first (and for an unknown conference).
  std::uint64_t LastSeq(std::string_view conference) const;
  // For a client reconnecting with the last seq it saw.
  Result<std::vector<Event>> EventsAfter(std::string_view conference, std::uint64_t seq) const;

 private:
  struct Entry {
    Conference conference;
    std::uint64_t last_seq = 0;
  };

  explicit ConferenceStore(std::unique_ptr<EventJournal> journal) : journal_(std::move(journal)) {}

  std::unique_ptr<EventJournal> journal_;
  std::map<std::string, Entry, std::less<>> conferences_;
};

}  // namespace bridgecast::agenda
