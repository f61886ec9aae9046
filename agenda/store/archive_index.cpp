#include "agenda/store/archive_index.hpp"

#include <sqlite3.h>

namespace bridgecast::agenda {
namespace {

constexpr const char* kArchiveError = "archive_error";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id            TEXT PRIMARY KEY,
  title         TEXT NOT NULL,
  first_wall_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS runs (
  session       TEXT NOT NULL REFERENCES sessions(id),
  run           INTEGER NOT NULL,
  started_ms    INTEGER NOT NULL,
  PRIMARY KEY (session, run)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segments (
  session       TEXT NOT NULL,
  run           INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  file          TEXT NOT NULL,
  wall_start_ms INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL,
  bytes         INTEGER NOT NULL,
  complete      INTEGER NOT NULL,
  PRIMARY KEY (session, run, seq),
  FOREIGN KEY (session, run) REFERENCES runs(session, run)
) STRICT, WITHOUT ROWID;
)sql";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::string ColumnText(sqlite3_stmt* s, int column) {
  const auto* text = sqlite3_column_text(s, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
              : std::string();
}

void BindText(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

Result<std::unique_ptr<ArchiveIndex>> ArchiveIndex::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<ArchiveIndex> index(new ArchiveIndex(db));  // closes db on every path
  if (rc != SQLITE_OK) return index->Failure("cannot open archive index " + path);
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", kSchema}) {
    if (Status s = index->Exec(sql); !s) return s.error();
  }
  return index;
}

ArchiveIndex::~ArchiveIndex() { sqlite3_close(db_); }

Status ArchiveIndex::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Failure(sql);
  return Ok{};
}

Error ArchiveIndex::Failure(const std::string& what) const {
  return Error{kArchiveError, what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

Status ArchiveIndex::AddSession(std::string_view id, std::string_view title, Timestamp at) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO sessions (id, title, first_wall_ms) VALUES (?, ?, ?) "
                         "ON CONFLICT (id) DO UPDATE SET title = excluded.title",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("add session");
  }
  const Stmt stmt(raw);
  BindText(raw, 1, id);
  BindText(raw, 2, title);
  sqlite3_bind_int64(raw, 3, ToUnixMillis(at));
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("add session " + std::string(id));
  return Ok{};
}

Result<unsigned> ArchiveIndex::StartRun(std::string_view session, Timestamp at) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO runs (session, run, started_ms) SELECT ?1, "
                         "COALESCE(MAX(run), 0) + 1, ?2 FROM runs WHERE session = ?1 "
                         "RETURNING run",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("start run");
  }
  const Stmt stmt(raw);
  BindText(raw, 1, session);
  sqlite3_bind_int64(raw, 2, ToUnixMillis(at));
  if (sqlite3_step(raw) != SQLITE_ROW) return Failure("start run of " + std::string(session));
  const auto run = static_cast<unsigned>(sqlite3_column_int64(raw, 0));
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("start run of " + std::string(session));
  return run;
}

Status ArchiveIndex::AddSegment(const ArchivedSegment& s) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO segments (session, run, seq, file, wall_start_ms, "
                         "duration_ms, bytes, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("add segment");
  }
  const Stmt stmt(raw);
  BindText(raw, 1, s.session);
  sqlite3_bind_int64(raw, 2, s.run);
  sqlite3_bind_int64(raw, 3, s.seq);
  BindText(raw, 4, s.file);
  sqlite3_bind_int64(raw, 5, ToUnixMillis(s.wall_start));
  sqlite3_bind_int64(raw, 6, s.duration.count());
  sqlite3_bind_int64(raw, 7, static_cast<sqlite3_int64>(s.bytes));
  sqlite3_bind_int(raw, 8, s.complete ? 1 : 0);
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("add segment " + s.file);
  return Ok{};
}

Status ArchiveIndex::CompleteSegment(std::string_view session, unsigned run, unsigned seq,
                                     Millis duration, std::uint64_t bytes) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "UPDATE segments SET duration_ms = ?, bytes = ?, complete = 1 "
                         "WHERE session = ? AND run = ? AND seq = ?",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("complete segment");
  }
  const Stmt stmt(raw);
  sqlite3_bind_int64(raw, 1, duration.count());
  sqlite3_bind_int64(raw, 2, static_cast<sqlite3_int64>(bytes));
  BindText(raw, 3, session);
  sqlite3_bind_int64(raw, 4, run);
  sqlite3_bind_int64(raw, 5, seq);
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("complete segment");
  if (sqlite3_changes(db_) != 1) {
    return Error{kArchiveError, "no segment " + std::to_string(run) + "/" + std::to_string(seq) +
                                    " in session " + std::string(session)};
  }
  return Ok{};
}

Status ArchiveIndex::DropSegment(std::string_view session, unsigned run, unsigned seq) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "DELETE FROM segments WHERE session = ? AND run = ? AND seq = ?",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("drop segment");
  }
  const Stmt stmt(raw);
  BindText(raw, 1, session);
  sqlite3_bind_int64(raw, 2, run);
  sqlite3_bind_int64(raw, 3, seq);
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("drop segment");
  return Ok{};
}

Result<std::vector<ArchivedSession>> ArchiveIndex::Sessions() const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(
          db_,
          "SELECT s.id, s.title, s.first_wall_ms, "
          "(SELECT COUNT(*) FROM runs r WHERE r.session = s.id), "
          "COUNT(g.seq), COALESCE(SUM(g.duration_ms), 0), COALESCE(SUM(g.bytes), 0) "
          "FROM sessions s LEFT JOIN segments g ON g.session = s.id "
          "GROUP BY s.id ORDER BY s.first_wall_ms, s.id",
          -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("list sessions");
  }
  const Stmt stmt(raw);
  std::vector<ArchivedSession> out;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    ArchivedSession s;
    s.id = ColumnText(raw, 0);
    s.title = ColumnText(raw, 1);
    s.first_wall = FromUnixMillis(sqlite3_column_int64(raw, 2));
    s.runs = static_cast<unsigned>(sqlite3_column_int64(raw, 3));
    s.segments = static_cast<std::size_t>(sqlite3_column_int64(raw, 4));
    s.duration = Millis(sqlite3_column_int64(raw, 5));
    s.bytes = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 6));
    out.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) return Failure("list sessions");
  return out;
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::SelectSegments(const char* where,
                                                                  std::string_view session) const {
  const std::string sql =
      std::string("SELECT session, run, seq, file, wall_start_ms, duration_ms, bytes, complete "
                  "FROM segments WHERE ") +
      where + " ORDER BY session, run, seq";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("list segments");
  }
  const Stmt stmt(raw);
  if (sqlite3_bind_parameter_count(raw) == 1) BindText(raw, 1, session);
  std::vector<ArchivedSegment> out;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    ArchivedSegment s;
    s.session = ColumnText(raw, 0);
    s.run = static_cast<unsigned>(sqlite3_column_int64(raw, 1));
    s.seq = static_cast<unsigned>(sqlite3_column_int64(raw, 2));
    s.file = ColumnText(raw, 3);
    s.wall_start = FromUnixMillis(sqlite3_column_int64(raw, 4));
    s.duration = Millis(sqlite3_column_int64(raw, 5));
    s.bytes = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 6));
    s.complete = sqlite3_column_int(raw, 7) != 0;
    out.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) return Failure("list segments");
  return out;
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::Segments(std::string_view session) const {
  return SelectSegments("session = ?", session);
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::IncompleteSegments() const {
  return SelectSegments("complete = 0", {});
}

}  // namespace bridgecast::agenda
