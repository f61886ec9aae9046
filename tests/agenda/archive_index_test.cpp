#include "agenda/store/archive_index.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

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
    auto run = ix.StartRun("conf", FromUnixMillis(1000));
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
  auto run = ix.StartRun("conf", FromUnixMillis(9000));
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
  REQUIRE(ix.StartRun("conf", FromUnixMillis(0)).ok());
  REQUIRE(ix.AddSegment(Segment(1, 0, 0)));
  CHECK_FALSE(ix.AddSegment(Segment(1, 0, 0)));  // twice
  CHECK_FALSE(ix.CompleteSegment("conf", 1, 7, Millis(1), 1));
  CHECK_FALSE(ArchiveIndex::Open(dir.File("no/such/dir/archive.db")).ok());
}

}  // namespace bridgecast::agenda
