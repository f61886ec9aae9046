#include "agenda/store/event_journal.hpp"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "agenda/conference_spec_json.hpp"
#include "agenda/errors.hpp"
#include "agenda/event_json.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS conferences (
  id   TEXT PRIMARY KEY,
  spec TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  conference TEXT NOT NULL REFERENCES conferences(id),
  seq        INTEGER NOT NULL,
  at_ms      INTEGER NOT NULL,
  type       TEXT NOT NULL,
  payload    TEXT NOT NULL,   -- the event's JSON without seq, at and type
  PRIMARY KEY (conference, seq)
) STRICT, WITHOUT ROWID;
)sql";

}  // namespace

Result<std::unique_ptr<EventJournal>> EventJournal::Open(const std::string& path) {
  Result<SqliteDb> db = SqliteDb::Open(path, kSchema, errc::kJournalError, "journal");
  if (!db) return db.error();
  // journal_mode=WAL quietly keeps the old mode where WAL is impossible; the
  // journal's durability argument needs WAL, so check.
  const Result<Stmt> mode = db->Prepare("PRAGMA journal_mode", "journal_mode");
  if (!mode) return mode.error();
  if (sqlite3_step(mode->get()) != SQLITE_ROW || ColumnText(mode->get(), 0) != "wal") {
    return Error{errc::kJournalError, "journal " + path + " cannot use WAL mode"};
  }
  return std::unique_ptr<EventJournal>(new EventJournal(std::move(*db)));
}

Status EventJournal::AddConference(const ConferenceSpec& spec) {
  const Result<Stmt> stmt =
      db_.Prepare("INSERT INTO conferences (id, spec) VALUES (?, ?)", "add conference");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, spec.id);
  // Store only a spec that loads back identically; among other things this
  // refuses invalid UTF-8, which dump() would otherwise throw on.
  const std::string text = ToJson(spec).dump(-1, ' ', false, json::error_handler_t::replace);
  const Result<ConferenceSpec> back = ConferenceSpecFromJson(json::parse(text, nullptr, false));
  if (!back || !(*back == spec)) {
    return Error{errc::kBadConference, "conference " + spec.id + " does not survive its JSON form"};
  }
  BindText(raw, 2, text);
  if (sqlite3_step(raw) != SQLITE_DONE) return db_.Failure("add conference " + spec.id);
  return Ok{};
}

Result<std::vector<ConferenceSpec>> EventJournal::Conferences() const {
  const Result<Stmt> stmt =
      db_.Prepare("SELECT id, spec FROM conferences ORDER BY rowid", "list conferences");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  std::vector<ConferenceSpec> out;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const std::string id = ColumnText(raw, 0);
    const json j = json::parse(ColumnText(raw, 1), nullptr, false);
    Result<ConferenceSpec> spec =
        j.is_discarded() ? Error{"", "not JSON"} : ConferenceSpecFromJson(j);
    if (!spec) {
      return Error{errc::kCorruptJournal, "conference " + id + ": " + spec.error().message};
    }
    if (spec->id != id) {
      return Error{errc::kCorruptJournal, "conference " + id + ": spec has id " + spec->id};
    }
    out.push_back(std::move(*spec));
  }
  if (rc != SQLITE_DONE) return db_.Failure("list conferences");
  return out;
}

Result<std::vector<Event>> EventJournal::Append(std::string_view conference,
                                                std::vector<Event> events) {
  // IMMEDIATE takes the write lock now, so MAX(seq) cannot change under us.
  if (Status s = db_.Exec("BEGIN IMMEDIATE"); !s) return s.error();
  auto rollback = [this](Error e) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  std::uint64_t seq = 0;
  {
    const Result<Stmt> last =
        db_.Prepare("SELECT COALESCE(MAX(seq), 0) FROM events WHERE conference = ?", "append");
    if (!last) return rollback(last.error());
    BindText(last->get(), 1, conference);
    if (sqlite3_step(last->get()) != SQLITE_ROW) return rollback(db_.Failure("append"));
    seq = static_cast<std::uint64_t>(sqlite3_column_int64(last->get(), 0));
  }

  const Result<Stmt> insert = db_.Prepare(
      "INSERT INTO events (conference, seq, at_ms, type, payload) VALUES (?, ?, ?, ?, ?)",
      "append");
  if (!insert) return rollback(insert.error());
  sqlite3_stmt* raw = insert->get();
  for (Event& event : events) {
    event.seq = ++seq;
    json payload = ToJson(event);
    payload.erase("seq");
    payload.erase("at");
    payload.erase("type");
    sqlite3_reset(raw);
    BindText(raw, 1, conference);
    sqlite3_bind_int64(raw, 2, static_cast<sqlite3_int64>(event.seq));
    sqlite3_bind_int64(raw, 3, ToUnixMillis(event.at));
    BindText(raw, 4, event.type());
    // Decide only emits valid UTF-8; replace keeps dump() from throwing regardless.
    BindText(raw, 5, payload.dump(-1, ' ', false, json::error_handler_t::replace));
    if (sqlite3_step(raw) != SQLITE_DONE) {
      return rollback(db_.Failure("append to " + std::string(conference)));
    }
  }
  if (Status s = db_.Exec("COMMIT"); !s) return rollback(s.error());
  return events;
}

Result<std::vector<Event>> EventJournal::ReadAfter(std::string_view conference,
                                                   std::uint64_t after_seq) const {
  const Result<Stmt> stmt = db_.Prepare(
      "SELECT seq, at_ms, type, payload FROM events WHERE conference = ? AND seq > ? "
      "ORDER BY seq",
      "read");
  if (!stmt) return stmt.error();
  sqlite3_stmt* raw = stmt->get();
  BindText(raw, 1, conference);
  // Seqs beyond SQLite's signed range cannot exist; clamp the client's value.
  sqlite3_bind_int64(raw, 2,
                     static_cast<sqlite3_int64>(std::min<std::uint64_t>(after_seq, INT64_MAX)));
  std::vector<Event> out;
  std::uint64_t expected = after_seq + 1;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto seq = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 0));
    const std::string where =
        "conference " + std::string(conference) + " event " + std::to_string(seq);
    if (seq != expected) {
      return Error{errc::kCorruptJournal, where + ": expected seq " + std::to_string(expected)};
    }
    json j = json::parse(ColumnText(raw, 3), nullptr, false);
    if (!j.is_object()) {
      return Error{errc::kCorruptJournal, where + ": payload is not a JSON object"};
    }
    j["seq"] = seq;
    j["at"] = sqlite3_column_int64(raw, 1);
    j["type"] = ColumnText(raw, 2);
    Result<Event> event = EventFromJson(j);
    if (!event) return Error{errc::kCorruptJournal, where + ": " + event.error().message};
    out.push_back(std::move(*event));
    ++expected;
  }
  if (rc != SQLITE_DONE) return db_.Failure("read " + std::string(conference));
  return out;
}

}  // namespace bridgecast::agenda
