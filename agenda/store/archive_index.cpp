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
  rehearsal     INTEGER NOT NULL DEFAULT 0,
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

// An index written before rehearsals existed has runs without a label; none of
// them can follow a reset, so they all get 0.
Status AddRehearsalColumn(SqliteDb& db) {
  const Result<Stmt> stmt =
      db.Prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'rehearsal'", "migrate");
  if (!stmt) return stmt.error();
  const int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return Ok{};
  if (rc != SQLITE_DONE) return db.Failure("migrate");
  return db.Exec("ALTER TABLE runs ADD COLUMN rehearsal INTEGER NOT NULL DEFAULT 0");
}

}  // namespace

Result<std::unique_ptr<ArchiveIndex>> ArchiveIndex::Open(const std::string& path) {
  Result<SqliteDb> db = SqliteDb::Open(path, kSchema, kArchiveError, "archive index");
  if (!db) return db.error();
  if (Status migrated = AddRehearsalColumn(*db); !migrated) return migrated.error();
  return std::unique_ptr<ArchiveIndex>(new ArchiveIndex(std::move(*db)));
}

Status ArchiveIndex::AddSession(std::string_view id, std::string_view title, Timestamp at) {
  const Result<Stmt> stmt = db_.Prepare(
      "INSERT INTO sessions (id, title, first_wall_ms) VALUES (?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET title = excluded.title",
      "add session");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, id);
  BindText(raw, 2, title);
  sqlite3_bind_int64(raw, 3, ToUnixMillis(at));
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("add session " + std::string(id));
  return Ok{};
}

Result<unsigned> ArchiveIndex::StartRun(std::string_view session, Timestamp at,
                                        std::uint64_t rehearsal) {
  const Result<Stmt> stmt = db_.Prepare(
      "INSERT INTO runs (session, run, started_ms, rehearsal) SELECT ?1, "
      "COALESCE(MAX(run), 0) + 1, ?2, ?3 FROM runs WHERE session = ?1 "
      "RETURNING run",
      "start run");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, session);
  sqlite3_bind_int64(raw, 2, ToUnixMillis(at));
  sqlite3_bind_int64(raw, 3, static_cast<sqlite3_int64>(rehearsal));
  if (sqlite3_step(raw) != SQLITE_ROW) return db_.Failure("start run of " + std::string(session));
  const auto run = static_cast<unsigned>(sqlite3_column_int64(raw, 0));
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("start run of " + std::string(session));
  return run;
}

Status ArchiveIndex::AddSegment(const ArchivedSegment& s) {
  const Result<Stmt> stmt = db_.Prepare(
      "INSERT INTO segments (session, run, seq, file, wall_start_ms, "
      "duration_ms, bytes, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      "add segment");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, s.session);
  sqlite3_bind_int64(raw, 2, s.run);
  sqlite3_bind_int64(raw, 3, s.seq);
  BindText(raw, 4, s.file);
  sqlite3_bind_int64(raw, 5, ToUnixMillis(s.wall_start));
  sqlite3_bind_int64(raw, 6, s.duration.count());
  sqlite3_bind_int64(raw, 7, static_cast<sqlite3_int64>(s.bytes));
  sqlite3_bind_int(raw, 8, s.complete ? 1 : 0);
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("add segment " + s.file);
  return Ok{};
}

Status ArchiveIndex::CompleteSegment(std::string_view session, unsigned run, unsigned seq,
                                     Millis duration, std::uint64_t bytes) {
  const Result<Stmt> stmt = db_.Prepare(
      "UPDATE segments SET duration_ms = ?, bytes = ?, complete = 1 "
      "WHERE session = ? AND run = ? AND seq = ?",
      "complete segment");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  sqlite3_bind_int64(raw, 1, duration.count());
  sqlite3_bind_int64(raw, 2, static_cast<sqlite3_int64>(bytes));
  BindText(raw, 3, session);
  sqlite3_bind_int64(raw, 4, run);
  sqlite3_bind_int64(raw, 5, seq);
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("complete segment");
  if (sqlite3_changes(db_.get()) != 1) {
    return Error{kArchiveError, "no segment " + std::to_string(run) + "/" + std::to_string(seq) +
                                    " in session " + std::string(session)};
  }
  return Ok{};
}

Status ArchiveIndex::DropSegment(std::string_view session, unsigned run, unsigned seq) {
  const Result<Stmt> stmt =
      db_.Prepare("DELETE FROM segments WHERE session = ? AND run = ? AND seq = ?", "drop segment");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, session);
  sqlite3_bind_int64(raw, 2, run);
  sqlite3_bind_int64(raw, 3, seq);
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("drop segment");
  return Ok{};
}

Result<std::vector<ArchivedSession>> ArchiveIndex::Sessions() const {
  const Result<Stmt> stmt = db_.Prepare(
      "SELECT s.id, s.title, s.first_wall_ms, "
      "(SELECT COUNT(*) FROM runs r WHERE r.session = s.id), "
      "COUNT(g.seq), COALESCE(SUM(g.duration_ms), 0), COALESCE(SUM(g.bytes), 0) "
      "FROM sessions s LEFT JOIN segments g ON g.session = s.id "
      "GROUP BY s.id ORDER BY s.first_wall_ms, s.id",
      "list sessions");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
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
  if (rc != SQLITE_DONE) return db_.Failure("list sessions");
  if (Status labelled = AddLabels(out); !labelled) return labelled.error();
  return out;
}

Status ArchiveIndex::AddLabels(std::vector<ArchivedSession>& sessions) const {
  const Result<Stmt> stmt = db_.Prepare(
      "SELECT r.session, r.rehearsal, COUNT(DISTINCT r.run), COUNT(g.seq), "
      "COALESCE(SUM(g.duration_ms), 0), COALESCE(SUM(g.bytes), 0) "
      "FROM runs r LEFT JOIN segments g ON g.session = r.session AND g.run = r.run "
      "GROUP BY r.session, r.rehearsal ORDER BY r.session, r.rehearsal",
      "list labels");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const std::string session = ColumnText(raw, 0);
    for (ArchivedSession& s : sessions) {
      if (s.id != session) continue;
      s.labels.push_back(ArchivedLabel{static_cast<std::uint64_t>(sqlite3_column_int64(raw, 1)),
                                       static_cast<unsigned>(sqlite3_column_int64(raw, 2)),
                                       static_cast<std::size_t>(sqlite3_column_int64(raw, 3)),
                                       Millis(sqlite3_column_int64(raw, 4)),
                                       static_cast<std::uint64_t>(sqlite3_column_int64(raw, 5))});
    }
  }
  if (rc != SQLITE_DONE) return db_.Failure("list labels");
  return Ok{};
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::SelectSegments(const char* where,
                                                                  std::string_view session) const {
  const std::string sql =
      std::string("SELECT session, run, seq, file, wall_start_ms, duration_ms, bytes, complete, "
                  "rehearsal FROM segments JOIN runs USING (session, run) WHERE ") +
      where + " ORDER BY session, run, seq";
  const Result<Stmt> stmt = db_.Prepare(sql.c_str(), "list segments");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
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
    s.rehearsal = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 8));
    out.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) return db_.Failure("list segments");
  return out;
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::Segments(std::string_view session) const {
  return SelectSegments("session = ?", session);
}

Result<std::vector<ArchivedSegment>> ArchiveIndex::IncompleteSegments() const {
  return SelectSegments("complete = 0", {});
}

}  // namespace bridgecast::agenda
