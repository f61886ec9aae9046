#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "agenda/store/conference_store.hpp"
#include "agenda/store/event_journal.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using test::SmallSpec;
using test::TempDir;

const Timestamp kAt = FromUnixMillis(1700096400000);

std::unique_ptr<EventJournal> OpenJournal(const std::string& path) {
  auto journal = EventJournal::Open(path);
  INFO((journal ? "" : journal.error().message));
  REQUIRE(journal);
  return std::move(*journal);
}

std::vector<Event> Batch(std::vector<EventPayload> payloads) {
  std::vector<Event> out;
  for (EventPayload& p : payloads) out.push_back(Event{0, kAt, std::move(p)});
  return out;
}

// Runs SQL on the journal file behind the code's back, as a disk fault or a
// careless operator would.
void Tamper(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::string QueryText(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::string out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("the journal is in WAL mode and numbers each conference's events from 1") {
  TempDir dir;
  const std::string path = dir.File("journal.db");
  auto journal = OpenJournal(path);
  CHECK(QueryText(path, "PRAGMA journal_mode") == "wal");

  ConferenceSpec other = SmallSpec();
  other.id = "hoi-nghi-2";
  REQUIRE(journal->AddConference(SmallSpec()));
  REQUIRE(journal->AddConference(other));
  CHECK_FALSE(journal->AddConference(SmallSpec()));  // already there
  ConferenceSpec not_utf8 = SmallSpec();
  not_utf8.id = "hoi-nghi-3";
  not_utf8.title = "H\xF4i";
  CHECK(journal->AddConference(not_utf8).error().code == errc::kBadConference);

  auto first =
      journal->Append("hoi-nghi-1", Batch({ev::ConferenceStarted{}, ev::PointJoined{"ha-noi"}}));
  REQUIRE(first);
  CHECK((*first)[0].seq == 1);
  CHECK((*first)[1].seq == 2);
  auto second = journal->Append("hoi-nghi-2", Batch({ev::ConferenceStarted{}}));
  REQUIRE(second);
  CHECK((*second)[0].seq == 1);
  auto third = journal->Append("hoi-nghi-1", Batch({ev::HandRaised{"ha-noi"}}));
  REQUIRE(third);
  CHECK((*third)[0].seq == 3);

  auto all = journal->ReadAfter("hoi-nghi-1", 0);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0] == (*first)[0]);
  CHECK((*all)[2] == (*third)[0]);
  auto missed = journal->ReadAfter("hoi-nghi-1", 2);
  REQUIRE(missed);
  REQUIRE(missed->size() == 1);
  CHECK(missed->front().seq == 3);
  CHECK(journal->ReadAfter("hoi-nghi-1", 3)->empty());
  CHECK(journal->ReadAfter("hoi-nghi-1", UINT64_MAX)->empty());

  auto unknown = journal->Append("hoi-nghi-9", Batch({ev::ConferenceStarted{}}));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == errc::kJournalError);
  CHECK(journal->ReadAfter("hoi-nghi-1", 0)->size() == 3);  // the failed batch left nothing

  SECTION("reopening gives the same conferences and events") {
    journal.reset();
    auto again = OpenJournal(path);
    auto specs = again->Conferences();
    REQUIRE(specs);
    REQUIRE(specs->size() == 2);
    CHECK((*specs)[0] == SmallSpec());
    CHECK((*specs)[1] == other);
    auto events = again->ReadAfter("hoi-nghi-1", 0);
    REQUIRE(events);
    CHECK(*events == *all);
  }
}

TEST_CASE("a corrupt journal is reported at load, not crashed on") {
  TempDir dir;
  const std::string path = dir.File("journal.db");
  {
    auto store = ConferenceStore::Open(path);
    REQUIRE(store);
    REQUIRE((*store)->Add(SmallSpec()));
    const Timestamp now = FromUnixMillis(1700096400000);
    REQUIRE((*store)->Execute("hoi-nghi-1", cmd::JoinPoint{"ha-noi"}, Actor::System(), now));
    REQUIRE((*store)->Execute("hoi-nghi-1", cmd::StartConference{}, Actor::Chair(), now));
    REQUIRE((*store)->Execute("hoi-nghi-1", cmd::RaiseHand{}, Actor::Point("ha-noi"), now));
  }
  const char* sql = "";
  SECTION("payload not JSON") { sql = "UPDATE events SET payload = '{\"point\":' WHERE seq = 4"; }
  SECTION("unknown type") { sql = "UPDATE events SET type = 'hand.waved' WHERE seq = 4"; }
  SECTION("missing field") { sql = "UPDATE events SET payload = '{}' WHERE seq = 4"; }
  SECTION("a gap in the seqs") { sql = "DELETE FROM events WHERE seq = 2"; }
  SECTION("an event that does not fit the state") {
    sql =
        "UPDATE events SET type = 'floor.revoked', payload = "
        "'{\"point\":\"ha-noi\",\"reason\":\"x\"}' "
        "WHERE seq = 4";
  }
  SECTION("an event for a point not in the roster") {
    sql = "UPDATE events SET payload = '{\"point\":\"hue\"}' WHERE seq = 4";
  }
  SECTION("a spec that is not valid") {
    sql = "UPDATE conferences SET spec = '{\"id\":\"hoi-nghi-1\"}'";
  }
  Tamper(path, sql);
  auto store = ConferenceStore::Open(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().code == errc::kCorruptJournal);
  CHECK(store.error().message.find("hoi-nghi-1") != std::string::npos);
}

}  // namespace bridgecast::agenda
