#include "agenda/store/archive_index.hpp"

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "agenda/store/session_timeline.hpp"
#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;

ArchivedSegment Segment(unsigned run, unsigned seq, std::int64_t wall_ms) {
  ArchivedSegment s;
  s.session = "conf";
  s.run = run;
  s.seq = seq;
  s.file = "run000" + std::to_string(run) + "-seg0000" + std::to_string(seq) + ".ts";
  s.wall_start = FromUnixMillis(wall_ms);
  return s;
}

}  // namespace

TEST_CASE("the archive index keeps sessions, runs and segments across reopening") {
  test::TempDir dir;
  const std::string path = dir.File("archive.db");
  {
    auto index = ArchiveIndex::Open(path);
    REQUIRE(index.ok());
    ArchiveIndex& ix = **index;
    REQUIRE(ix.AddSession("conf", "Hội nghị", FromUnixMillis(1000)));
    auto run = ix.StartRun("conf", FromUnixMillis(1000), 0);
    REQUIRE(run.ok());
    CHECK(*run == 1);
    REQUIRE(ix.AddSegment(Segment(1, 0, 1000)));
    REQUIRE(ix.CompleteSegment("conf", 1, 0, Millis(4000), 500000));
    REQUIRE(ix.AddSegment(Segment(1, 1, 5000)));  // open when the node died
  }
  auto index = ArchiveIndex::Open(path);
  REQUIRE(index.ok());
  ArchiveIndex& ix = **index;
  auto open = ix.IncompleteSegments();
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK((*open)[0].file == "run0001-seg00001.ts");
  REQUIRE(ix.CompleteSegment("conf", 1, 1, Millis(2500), 300000));

  // A restart adds a run to the same session; the first time stays.
  REQUIRE(ix.AddSession("conf", "Hội nghị", FromUnixMillis(9000)));
  auto run = ix.StartRun("conf", FromUnixMillis(9000), 0);
  REQUIRE(run.ok());
  CHECK(*run == 2);
  REQUIRE(ix.AddSegment(Segment(2, 0, 9000)));
  REQUIRE(ix.CompleteSegment("conf", 2, 0, Millis(4000), 400000));

  auto segments = ix.Segments("conf");
  REQUIRE(segments.ok());
  REQUIRE(segments->size() == 3);
  CHECK((*segments)[0].run == 1);
  CHECK((*segments)[2].run == 2);
  CHECK((*segments)[1].duration == Millis(2500));
  CHECK((*segments)[1].complete);
  CHECK(ix.IncompleteSegments()->empty());

  auto sessions = ix.Sessions();
  REQUIRE(sessions.ok());
  REQUIRE(sessions->size() == 1);
  const ArchivedSession& s = (*sessions)[0];
  CHECK(s.id == "conf");
  CHECK(s.title == "Hội nghị");
  CHECK(s.first_wall == FromUnixMillis(1000));
  CHECK(s.runs == 2);
  CHECK(s.segments == 3);
  CHECK(s.duration == Millis(10500));
  CHECK(s.bytes == 1200000);
  CHECK(ix.Segments("other")->empty());
}

TEST_CASE("the archive index refuses what does not fit") {
  test::TempDir dir;
  auto index = ArchiveIndex::Open(dir.File("archive.db"));
  REQUIRE(index.ok());
  ArchiveIndex& ix = **index;
  // A segment of a run that was never started.
  Status orphan = ix.AddSegment(Segment(1, 0, 0));
  REQUIRE_FALSE(orphan);
  CHECK(orphan.error().code == "archive_error");
  REQUIRE(ix.AddSession("conf", "t", FromUnixMillis(0)));
  REQUIRE(ix.StartRun("conf", FromUnixMillis(0), 0).ok());
  REQUIRE(ix.AddSegment(Segment(1, 0, 0)));
  CHECK_FALSE(ix.AddSegment(Segment(1, 0, 0)));  // twice
  CHECK_FALSE(ix.CompleteSegment("conf", 1, 7, Millis(1), 1));
  CHECK_FALSE(ArchiveIndex::Open(dir.File("no/such/dir/archive.db")).ok());
}

TEST_CASE("each run carries its rehearsal label and only the real run's segments play") {
  test::TempDir dir;
  auto index = ArchiveIndex::Open(dir.File("archive.db"));
  REQUIRE(index.ok());
  ArchiveIndex& ix = **index;
  REQUIRE(ix.AddSession("conf", "t", FromUnixMillis(0)));
  // Rehearsal 1 (label 0): two runs; the real run (label 1): one, still open.
  for (std::uint64_t label : {0, 0, 1}) REQUIRE(ix.StartRun("conf", FromUnixMillis(0), label).ok());
  REQUIRE(ix.AddSegment(Segment(1, 0, 0)));
  REQUIRE(ix.CompleteSegment("conf", 1, 0, 4s, 100));
  REQUIRE(ix.AddSegment(Segment(2, 0, 5000)));
  REQUIRE(ix.CompleteSegment("conf", 2, 0, 3s, 50));
  REQUIRE(ix.AddSegment(Segment(3, 0, 60000)));
  REQUIRE(ix.CompleteSegment("conf", 3, 0, 4s, 70));
  REQUIRE(ix.AddSegment(Segment(3, 1, 64000)));

  auto segments = ix.Segments("conf");
  REQUIRE(segments.ok());
  REQUIRE(segments->size() == 4);
  CHECK((*segments)[1].rehearsal == 0);
  CHECK((*segments)[2].rehearsal == 1);
  CHECK((*segments)[3].rehearsal == 1);
  const auto real = PlayableSegments(*segments, 1);
  REQUIRE(real.size() == 1);  // the open one does not play yet
  CHECK(real[0].file == "run0003-seg00000.ts");
  CHECK(PlayableSegments(*segments, 0).size() == 2);
  CHECK(PlayableSegments(*segments, 2).empty());

  auto sessions = ix.Sessions();
  REQUIRE(sessions.ok());
  const ArchivedSession& s = sessions->at(0);
  CHECK(s.runs == 3);
  CHECK(s.segments == 4);
  REQUIRE(s.labels.size() == 2);
  CHECK(s.labels[0].rehearsal == 0);
  CHECK(s.labels[0].runs == 2);
  CHECK(s.labels[0].segments == 2);
  CHECK(s.labels[0].duration == 7s);
  CHECK(s.labels[0].bytes == 150);
  CHECK(s.labels[1].rehearsal == 1);
  CHECK(s.labels[1].runs == 1);
  CHECK(s.labels[1].segments == 2);
  CHECK(s.labels[1].duration == 4s);
}

TEST_CASE("an archive index from before rehearsals gets the label column, 0 for its runs") {
  test::TempDir dir;
  const std::string path = dir.File("archive.db");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    // The schema as it was, with one recorded run.
    const char* old = R"sql(
      CREATE TABLE sessions (id TEXT PRIMARY KEY, title TEXT NOT NULL,
                             first_wall_ms INTEGER NOT NULL) STRICT;
      CREATE TABLE runs (session TEXT NOT NULL REFERENCES sessions(id), run INTEGER NOT NULL,
                         started_ms INTEGER NOT NULL, PRIMARY KEY (session, run))
                         STRICT, WITHOUT ROWID;
      CREATE TABLE segments (session TEXT NOT NULL, run INTEGER NOT NULL, seq INTEGER NOT NULL,
                             file TEXT NOT NULL, wall_start_ms INTEGER NOT NULL,
                             duration_ms INTEGER NOT NULL, bytes INTEGER NOT NULL,
                             complete INTEGER NOT NULL, PRIMARY KEY (session, run, seq),
                             FOREIGN KEY (session, run) REFERENCES runs(session, run))
                             STRICT, WITHOUT ROWID;
      INSERT INTO sessions VALUES ('conf', 't', 0);
      INSERT INTO runs VALUES ('conf', 1, 0);
      INSERT INTO segments VALUES ('conf', 1, 0, 'run0001-seg00000.ts', 0, 4000, 10, 1);
    )sql";
    REQUIRE(sqlite3_exec(db, old, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  for (int open = 0; open < 2; ++open) {  // migrating twice is a no-op
    auto index = ArchiveIndex::Open(path);
    INFO((index.ok() ? "" : index.error().message));
    REQUIRE(index.ok());
    auto segments = (*index)->Segments("conf");
    REQUIRE(segments.ok());
    CHECK(segments->at(0).rehearsal == 0);
    CHECK(PlayableSegments(*segments, 0).size() == 1);
  }
  auto index = ArchiveIndex::Open(path);
  REQUIRE(index.ok());
  auto run = (*index)->StartRun("conf", FromUnixMillis(9000), 1);
  REQUIRE(run.ok());
  CHECK(*run == 2);
  REQUIRE((*index)->AddSegment(Segment(2, 0, 9000)));
  CHECK((*index)->Segments("conf")->at(1).rehearsal == 1);
}

TEST_CASE("a session's timeline is the real run's: its journal and its label's segments") {
  test::TempDir dir;
  auto store = ConferenceStore::Open(dir.File("journal.db"));
  REQUIRE(store.ok());
  ConferenceStore& st = **store;
  REQUIRE(st.Add(test::SmallSpec()));
  auto index = ArchiveIndex::Open(dir.File("archive.db"));
  REQUIRE(index.ok());
  ArchiveIndex& ix = **index;
  const std::string id = "hoi-nghi-1";
  test::ManualWallClock clock;
  const auto run = [&](const Command& command) {
    auto events = st.Execute(id, command, Actor::Chair(), clock.now);
    INFO((events ? std::string() : events.error().message));
    REQUIRE(events);
  };
  REQUIRE(ix.AddSession(id, "t", clock.now));
  CHECK(LoadTimeline(st, ix, id).error().code == "unknown_session");

  // Rehearsal: recorded 0..10 s under label 0, the first item from 2 s.
  const Timestamp t0 = clock.now;
  run(cmd::StartConference{});
  REQUIRE(ix.StartRun(id, t0, CurrentLabel(st, id)).ok());
  clock.Advance(2s);
  run(cmd::StartAgenda{});
  clock.Advance(8s);
  run(cmd::ResetConference{});
  CHECK(CurrentLabel(st, id) == 1);
  ArchivedSegment rehearsal{id, 1, 0, "run0001-seg00000.ts", t0, 10s, 1, true};
  REQUIRE(ix.AddSegment(rehearsal));
  // Reset, nothing recorded since: the real run has no timeline yet.
  auto none = LoadTimeline(st, ix, id);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == "unknown_session");

  // The real run: recorded from 60 s, the first item from 61 s.
  clock.Advance(50s);
  const Timestamp t1 = clock.now;
  run(cmd::StartConference{});
  REQUIRE(ix.StartRun(id, t1, CurrentLabel(st, id)).ok());
  clock.Advance(1s);
  run(cmd::StartAgenda{});
  clock.Advance(5s);
  run(cmd::EndConference{});
  REQUIRE(ix.AddSegment({id, 2, 0, "run0002-seg00000.ts", t1, 6s, 1, true}));

  auto loaded = LoadTimeline(st, ix, id);
  REQUIRE(loaded);
  REQUIRE(loaded->segments.size() == 1);
  CHECK(loaded->segments[0].file == "run0002-seg00000.ts");
  CHECK(loaded->timeline.duration == 6s);
  REQUIRE(loaded->timeline.chapters.size() == 1);
  CHECK(loaded->timeline.chapters[0] == Chapter{"khai-mac", "Khai mạc", 1s, 6s});
}

}  // namespace bridgecast::agenda
