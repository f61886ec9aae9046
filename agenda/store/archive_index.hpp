#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agenda/store/sqlite_db.hpp"
#include "agenda/timestamp.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// One file of a session's archive. A segment is `complete` once its duration
// and size are known: closed by the recorder, or measured after a crash.
struct ArchivedSegment {
  std::string session;
  unsigned run = 0;
  unsigned seq = 0;
  std::string file;  // name inside the session's archive directory
  Timestamp wall_start{};
  Millis duration{0};
  std::uint64_t bytes = 0;
  bool complete = false;
  std::uint64_t rehearsal = 0;  // its run's label (StartRun); AddSegment ignores it
};

// What the runs of one label recorded.
struct ArchivedLabel {
  std::uint64_t rehearsal = 0;
  unsigned runs = 0;
  std::size_t segments = 0;
  Millis duration{0};
  std::uint64_t bytes = 0;
};

struct ArchivedSession {
  std::string id;  // the conference id
  std::string title;
  Timestamp first_wall{};
  unsigned runs = 0;
  std::size_t segments = 0;
  Millis duration{0};
  std::uint64_t bytes = 0;
  std::vector<ArchivedLabel> labels;  // the same, per label, in label order
};

// What was recorded where: sessions (one per conference), runs (one per
// recorder start) and their segments, in `STATE_DIR/archive.db` (SQLite, WAL,
// synchronous=FULL: a segment row survives the crash that cuts its file).
// Main loop only; the CLI may read it while a node writes. Errors: archive_error.
class ArchiveIndex {
 public:
  static Result<std::unique_ptr<ArchiveIndex>> Open(const std::string& path);
  ArchiveIndex(const ArchiveIndex&) = delete;
  ArchiveIndex& operator=(const ArchiveIndex&) = delete;

  // Creates the session if it is new; an existing one keeps its first time.
  Status AddSession(std::string_view id, std::string_view title, Timestamp at);
  // A new run of the session: its number (1, 2, ...), never reused. `rehearsal`
  // labels it with the conference's resets so far: runs of an older label were
  // recorded in a rehearsal (agenda/journal_runs.hpp).
  Result<unsigned> StartRun(std::string_view session, Timestamp at, std::uint64_t rehearsal);
  // A segment the recorder opened (incomplete).
  Status AddSegment(const ArchivedSegment& segment);
  Status CompleteSegment(std::string_view session, unsigned run, unsigned seq, Millis duration,
                         std::uint64_t bytes);
  // Forgets a segment (a crash remnant with nothing decodable in it).
  Status DropSegment(std::string_view session, unsigned run, unsigned seq);

  Result<std::vector<ArchivedSession>> Sessions() const;
  // The session's segments in archive order (run, seq); empty for an unknown session.
  Result<std::vector<ArchivedSegment>> Segments(std::string_view session) const;
  // Every segment still open: at start, those the last run was writing when it died.
  Result<std::vector<ArchivedSegment>> IncompleteSegments() const;

 private:
  explicit ArchiveIndex(SqliteDb db) : db_(std::move(db)) {}
  Result<std::vector<ArchivedSegment>> SelectSegments(const char* where,
                                                      std::string_view session) const;
  Status AddLabels(std::vector<ArchivedSession>& sessions) const;

  SqliteDb db_;
};

}  // namespace bridgecast::agenda
