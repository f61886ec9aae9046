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

Result<std::unique_ptr<EventJournal>> EventJournal::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<EventJournal> journal(new EventJournal(db));  // closes db on every path
  if (rc != SQLITE_OK) return journal->Failure("cannot open journal " + path);
  sqlite3_busy_timeout(db, 5000);  // an operator may be reading the file with sqlite3
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", kSchema}) {
    if (Status s = journal->Exec(sql); !s) return s.error();
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &raw, nullptr) != SQLITE_OK) {
    return journal->Failure("journal_mode");
  }
  const Stmt stmt(raw);
  if (sqlite3_step(raw) != SQLITE_ROW || ColumnText(raw, 0) != "wal") {
    return Error{errc::kJournalError, "journal " + path + " cannot use WAL mode"};
  }
  return journal;
}

EventJournal::~EventJournal() { sqlite3_close(db_); }

Status EventJournal::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Failure(sql);
  return Ok{};
}

Error EventJournal::Failure(const std::string& what) const {
  return Error{errc::kJournalError, what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

Status EventJournal::AddConference(const ConferenceSpec& spec) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT INTO conferences (id, spec) VALUES (?, ?)", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return Failure("add conference");
  }
  const Stmt stmt(raw);
  BindText(raw, 1, spec.id);
  // Store only a spec that loads back identically; among other things this
  // refuses invalid UTF-8, which dump() would otherwise throw on.
  const std::string text = ToJson(spec).dump(-1, ' ', false, json::error_handler_t::replace);
  const Result<ConferenceSpec> back = ConferenceSpecFromJson(json::parse(text, nullptr, false));
  if (!back || !(*back == spec)) {
    return Error{errc::kBadConference, "conference " + spec.id + " does not survive its JSON form"};
  }
  BindText(raw, 2, text);
  if (sqlite3_step(raw) != SQLITE_DONE) return Failure("add conference " + spec.id);
  return Ok{};
}

Result<std::vector<ConferenceSpec>> EventJournal::Conferences() const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT id, spec FROM conferences ORDER BY rowid", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return Failure("list conferences");
  }
  const Stmt stmt(raw);
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
  if (rc != SQLITE_DONE) return Failure("list conferences");
  return out;
}

Result<std::vector<Event>> EventJournal::Append(std::string_view conference,
                                                std::vector<Event> events) {
  // IMMEDIATE takes the write lock now, so MAX(seq) cannot change under us.
  if (Status s = Exec("BEGIN IMMEDIATE"); !s) return s.error();
  auto rollback = [this](Error e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE conference = ?", -1,
                         &raw, nullptr) != SQLITE_OK) {
    return rollback(Failure("append"));
  }
  Stmt last(raw);
  BindText(raw, 1, conference);
  if (sqlite3_step(raw) != SQLITE_ROW) return rollback(Failure("append"));
  auto seq = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 0));
  last.reset();

  if (sqlite3_prepare_v2(
          db_, "INSERT INTO events (conference, seq, at_ms, type, payload) VALUES (?, ?, ?, ?, ?)",
          -1, &raw, nullptr) != SQLITE_OK) {
    return rollback(Failure("append"));
  }
  const Stmt insert(raw);
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
      return rollback(Failure("append to " + std::string(conference)));
    }
  }
  if (Status s = Exec("COMMIT"); !s) return rollback(s.error());
  return events;
}

Result<std::vector<Event>> EventJournal::ReadAfter(std::string_view conference,
                                                   std::uint64_t after_seq) const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(
          db_,
          "SELECT seq, at_ms, type, payload FROM events WHERE conference = ? AND seq > ? "
          "ORDER BY seq",
          -1, &raw, nullptr) != SQLITE_OK) {
    return Failure("read");
  }
  const Stmt stmt(raw);
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
  if (rc != SQLITE_DONE) return Failure("read " + std::string(conference));
  return out;
}

}  // namespace bridgecast::agenda
