#include "agenda/archive_timeline.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace bridgecast::agenda {
namespace {

using namespace std::chrono_literals;
using test::Harness;

}  // namespace

TEST_CASE("media time skips the gaps between recorded segments") {
  const Timestamp t0 = FromUnixMillis(1700096400000);
  // Two runs: 0..8 s, the node down for 12 s, then 20..24 s.
  const std::vector<RecordedSegment> segments = {
      {t0, 4s}, {t0 + 4s, 4s}, {t0 + 20s, 4s}};
  CHECK_FALSE(MediaTimeAt(segments, t0 - 1ms));
  CHECK(MediaTimeAt(segments, t0) == 0ms);
  CHECK(MediaTimeAt(segments, t0 + 5500ms) == 5500ms);
  CHECK(MediaTimeAt(segments, t0 + 8s) == 8s);
  CHECK(MediaTimeAt(segments, t0 + 9s) == 8s);  // in the gap: where media resumes
  CHECK(MediaTimeAt(segments, t0 + 21s) == 9s);
  CHECK(MediaTimeAt(segments, t0 + 24s) == 12s);
  CHECK_FALSE(MediaTimeAt(segments, t0 + 25s));
  CHECK_FALSE(MediaTimeAt({}, t0));
}

TEST_CASE("chapters come from the journal's agenda, clipped to the recording") {
  Harness h;
  h.GoLive();  // recording starts with the conference
  const Timestamp t0 = h.clock.now;
  h.clock.Advance(2s);
  h.Ok(cmd::StartAgenda{}, Actor::Chair());  // khai-mac at 2 s
  h.clock.Advance(3s);
  h.Ok(cmd::RaiseHand{}, Actor::Point("ha-noi"));
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());  // at 5 s
  h.clock.Advance(1s);
  h.Ok(cmd::NextItem{}, Actor::Chair());  // qd-124 at 6 s
  h.Ok(cmd::SubmitQuestion{"Xin hỏi về Quy định 124?", "qd-124"}, Actor::Point("da-nang"));
  h.clock.Advance(10s);
  h.Ok(cmd::GotoItem{"khai-mac"}, Actor::Chair());  // khai-mac again at 16 s, while down
  h.clock.Advance(6s);
  h.Ok(cmd::NextItem{}, Actor::Chair());  // qd-124 again at 22 s, still running

  // The node ran 0..10 s, was down 10..20 s, ran again from 20 s to 25 s.
  const std::vector<RecordedSegment> segments = {{t0, 4s}, {t0 + 4s, 6s}, {t0 + 20s, 5s}};
  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, segments);
  CHECK(t.duration == 15s);
  REQUIRE(t.chapters.size() == 4);
  CHECK(t.chapters[0] == Chapter{"khai-mac", "Khai mạc", 2s, 6s});
  CHECK(t.chapters[1] == Chapter{"qd-124", "Quán triệt Quy định số 124-QĐ/TW", 6s, 10s});
  CHECK(t.chapters[2] == Chapter{"khai-mac", "Khai mạc", 10s, 12s});  // from the restart
  CHECK(t.chapters[3].item == "qd-124");
  CHECK(t.chapters[3].start == 12s);
  CHECK(t.chapters[3].end == 15s);  // open: to the end of the media

  REQUIRE(t.markers.size() == 2);
  CHECK(t.markers[0].type == "floor.granted");
  CHECK(t.markers[0].at == 5s);
  CHECK(t.markers[0].point == "ha-noi");
  CHECK(t.markers[1].type == "question.submitted");
  CHECK(t.markers[1].at == 6s);
  CHECK(t.markers[1].question == 1);
  CHECK(t.markers[1].text == "Xin hỏi về Quy định 124?");
  CHECK(t.markers[1].seq > t.markers[0].seq);

  const auto j = ToJson(t);
  CHECK(j["duration_ms"] == 15000);
  CHECK(j["chapters"][1]["item"] == "qd-124");
  CHECK(j["chapters"][1]["start_ms"] == 6000);
  CHECK(j["markers"][1]["question"] == 1);
}

TEST_CASE("an item that ran while nothing was recorded has no chapter") {
  Harness h;
  h.GoLive();
  const Timestamp t0 = h.clock.now;
  h.Ok(cmd::StartAgenda{}, Actor::Chair());
  h.clock.Advance(5s);
  h.Ok(cmd::NextItem{}, Actor::Chair());
  h.clock.Advance(5s);
  const std::vector<RecordedSegment> segments = {{t0 + 6s, 4s}};
  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, segments);
  REQUIRE(t.chapters.size() == 1);
  CHECK(t.chapters[0].item == "qd-124");
  CHECK(t.chapters[0].start == 0s);
  CHECK(t.chapters[0].end == 4s);
  CHECK(BuildTimeline(h.conference.spec(), h.log, {}).chapters.empty());
}

TEST_CASE("a floor grant revoked within one recording run is one speaking segment") {
  Harness h;
  h.GoLive();
  const Timestamp t0 = h.clock.now;
  h.clock.Advance(2s);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());
  const std::uint64_t granted = h.seq;
  h.clock.Advance(3500ms);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());

  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, {{t0, 10s}});
  REQUIRE(t.speaking.size() == 1);
  CHECK(t.speaking[0] ==
        SpeakingSegment{"ha-noi", "Thành ủy Hà Nội", granted, 2s, 5500ms, "revoked"});
  REQUIRE(t.markers.size() == 2);  // the instants stay too
  CHECK(t.markers[0].type == "floor.granted");
  CHECK(t.markers[1].type == "floor.revoked");

  const auto j = ToJson(t);
  REQUIRE(j["speaking"].size() == 1);
  CHECK(j["speaking"][0]["point"] == "ha-noi");
  CHECK(j["speaking"][0]["point_name"] == "Thành ủy Hà Nội");
  CHECK(j["speaking"][0]["seq"] == granted);
  CHECK(j["speaking"][0]["start_ms"] == 2000);
  CHECK(j["speaking"][0]["end_ms"] == 5500);
  CHECK(j["speaking"][0]["reason"] == "revoked");
}

TEST_CASE("a floor grant across a recording gap is clipped to what was recorded") {
  Harness h;
  h.GoLive();
  const Timestamp t0 = h.clock.now;
  h.clock.Advance(2s);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());  // at 2 s, recorded
  h.clock.Advance(10s);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());  // at 12 s, after the first gap
  h.clock.Advance(3s);
  h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());  // 15..18 s, all in the second gap
  h.clock.Advance(3s);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());

  // Recorded 0..4 s, 10..14 s and 20..24 s.
  const std::vector<RecordedSegment> segments = {{t0, 4s}, {t0 + 10s, 4s}, {t0 + 20s, 4s}};
  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, segments);
  REQUIRE(t.speaking.size() == 1);
  CHECK(t.speaking[0].point == "ha-noi");
  CHECK(t.speaking[0].start == 2s);
  CHECK(t.speaking[0].end == 6s);  // 4 s of the first run, 2 s of the second
}

TEST_CASE("a point still holding the floor speaks to the end of the recording") {
  Harness h;
  h.GoLive();
  const Timestamp t0 = h.clock.now;
  h.clock.Advance(1s);
  h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());
  h.clock.Advance(1s);
  h.Ok(cmd::LeavePoint{"da-nang"}, Actor::System());  // ends its floor: disconnected
  h.clock.Advance(2s);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());  // at 4 s, never revoked
  h.clock.Advance(3s);

  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, {{t0, 10s}});
  REQUIRE(t.speaking.size() == 2);
  CHECK(t.speaking[0].reason == "disconnected");
  CHECK(t.speaking[0].end == 2s);
  CHECK(t.speaking[1].point == "ha-noi");
  CHECK(t.speaking[1].start == 4s);
  CHECK(t.speaking[1].end == 10s);
  CHECK(t.speaking[1].reason.empty());
  CHECK(ToJson(t)["speaking"][1]["reason"].is_null());
}

TEST_CASE("a floor grant from before the recording starts where the recording does") {
  Harness h;
  h.GoLive();
  const Timestamp t0 = h.clock.now;
  h.Ok(cmd::GrantFloor{"da-nang"}, Actor::Chair());  // 0..1 s: before anything recorded
  h.clock.Advance(1s);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());
  h.clock.Advance(1s);
  h.Ok(cmd::GrantFloor{"ha-noi"}, Actor::Chair());  // 2..8 s
  h.clock.Advance(6s);
  h.Ok(cmd::RevokeFloor{}, Actor::Chair());

  const ArchiveTimeline t = BuildTimeline(h.conference.spec(), h.log, {{t0 + 5s, 10s}});
  REQUIRE(t.speaking.size() == 1);
  CHECK(t.speaking[0].point == "ha-noi");
  CHECK(t.speaking[0].start == 0s);
  CHECK(t.speaking[0].end == 3s);
  CHECK(BuildTimeline(h.conference.spec(), h.log, {}).speaking.empty());
}

}  // namespace bridgecast::agenda
