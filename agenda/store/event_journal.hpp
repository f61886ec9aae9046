#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agenda/conference_spec.hpp"
#include "agenda/event.hpp"
#include "agenda/store/sqlite_db.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// The append-only journal of every conference, in one SQLite file in WAL mode.
// Each conference's events are numbered 1, 2, 3... with no gaps; an event is
// appended (and on disk) before anyone is told about it.
//
// Durability: synchronous=FULL, so every Append fsyncs the WAL before it
// returns. With NORMAL a power cut can drop the last commits although clients
// were already sent them; after a restart those seqs would be reused for other
// events and a reconnecting client would silently diverge. One fsync per
// command is cheap at the rate people issue commands.
//
// Errors: journal_error (SQLite failed), corrupt_journal (a stored row does
// not decode, or seqs have a gap).
class EventJournal {
 public:
  static Result<std::unique_ptr<EventJournal>> Open(const std::string& path);
  EventJournal(const EventJournal&) = delete;
  EventJournal& operator=(const EventJournal&) = delete;

  // Stores a conference's spec; its events can then be appended.
  Status AddConference(const ConferenceSpec& spec);
  // Every stored conference, in the order they were added.
  Result<std::vector<ConferenceSpec>> Conferences() const;

  // One transaction for the batch; returns the events with their seq set.
  Result<std::vector<Event>> Append(std::string_view conference, std::vector<Event> events);
  // Events with seq > after_seq, in order: 0 replays everything, a client's
  // last seen seq gives exactly what it missed.
  Result<std::vector<Event>> ReadAfter(std::string_view conference, std::uint64_t after_seq) const;

 private:
  explicit EventJournal(SqliteDb db) : db_(std::move(db)) {}

  SqliteDb db_;
};

}  // namespace bridgecast::agenda
