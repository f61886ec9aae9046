#include "media/ts_segmenter.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "ts_test_packets.hpp"

namespace bridgecast::media {
namespace {

using namespace ts_test;

// What a writer would make of the actions: one byte string per segment.
struct Files {
  std::vector<Bytes> segments;
  std::vector<std::uint64_t> starts;
  std::vector<std::chrono::milliseconds> ended;

  void Apply(const std::vector<TsAction>& actions) {
    for (const TsAction& a : actions) {
      if (const auto* cut = std::get_if<TsCut>(&a)) {
        if (cut->ended) ended.push_back(*cut->ended);
        segments.push_back(cut->head);
        starts.push_back(cut->pts);
      } else {
        REQUIRE_FALSE(segments.empty());
        const auto& bytes = std::get<TsWrite>(a).bytes;
        segments.back().insert(segments.back().end(), bytes.begin(), bytes.end());
      }
    }
  }
};

std::vector<std::uint8_t> Markers(const Bytes& segment) {
  std::vector<std::uint8_t> out;
  for (size_t i = 187; i < segment.size(); i += 188) out.push_back(segment[i]);
  return out;
}

}  // namespace

TEST_CASE("a segment starts with PAT, PMT and a keyframe, and nothing before it is kept") {
  TsSegmenter segmenter(std::chrono::milliseconds(1000));
  Files files;
  const Bytes before = Join({Pat(), Pmt(), Audio(0, 1), Video(0, false, 2)});
  auto actions = segmenter.Push(before);
  REQUIRE(actions.ok());
  CHECK(actions->empty());
  CHECK_FALSE(segmenter.open());
  // A TsWrite points into the chunk: it must outlive the actions.
  const Bytes chunk = Join({Audio(1500, 3), Video(kFrame, true, 4), Audio(3000, 5)});
  actions = segmenter.Push(chunk);
  REQUIRE(actions.ok());
  files.Apply(*actions);
  REQUIRE(files.segments.size() == 1);
  CHECK(files.starts[0] == kFrame);
  CHECK(files.ended.empty());
  const Bytes& segment = files.segments[0];
  REQUIRE(segment.size() == 4 * 188);
  CHECK(Bytes(segment.begin(), segment.begin() + 188) == Pat());
  CHECK(Bytes(segment.begin() + 188, segment.begin() + 376) == Pmt());
  CHECK(Markers(segment) == std::vector<std::uint8_t>{0, 0, 4, 5});
}

TEST_CASE("every packet is handed out at once, and the cut comes at the first keyframe after the target") {
  TsSegmenter segmenter(std::chrono::milliseconds(1000));
  Files files;
  auto push = [&](const Bytes& b) {
    auto actions = segmenter.Push(b);
    REQUIRE(actions.ok());
    files.Apply(*actions);
  };
  push(Join({Pat(), Pmt(), Video(0, true, 1)}));
  std::uint8_t marker = 2;
  // 0.5 s in: a keyframe (a point joined), too early to cut.
  for (std::uint64_t frame = 1; frame < 30; ++frame) {
    push(Video(frame * kFrame, frame == 15, marker++));
    REQUIRE(files.segments.size() == 1);
    // Nothing held back: the packet is already in the open segment.
    CHECK(files.segments[0].size() == (2 + frame + 1) * 188);
  }
  CHECK(segmenter.open_duration() == std::chrono::milliseconds(1000));
  // A PAT/PMT repeated mid-segment stays where the muxer put it.
  push(Join({Pat(), Pmt()}));
  push(Video(30 * kFrame, true, 100));
  REQUIRE(files.segments.size() == 2);
  REQUIRE(files.ended.size() == 1);
  CHECK(files.ended[0] == std::chrono::milliseconds(1000));
  CHECK(files.starts[1] == 30 * kFrame);
  CHECK(Markers(files.segments[1]) == std::vector<std::uint8_t>{0, 0, 100});
  CHECK(files.segments[0].size() == (2 + 30 + 2) * 188);
}

TEST_CASE("a cut inside one chunk splits the chunk between the two segments") {
  TsSegmenter segmenter(std::chrono::milliseconds(100));
  Files files;
  const Bytes chunk = Join({Pat(), Pmt(), Video(0, true, 1), Audio(100, 2), Video(9000, true, 3),
                            Audio(9100, 4)});
  auto actions = segmenter.Push(chunk);
  REQUIRE(actions.ok());
  files.Apply(*actions);
  REQUIRE(files.segments.size() == 2);
  CHECK(Markers(files.segments[0]) == std::vector<std::uint8_t>{0, 0, 1, 2});
  CHECK(Markers(files.segments[1]) == std::vector<std::uint8_t>{0, 0, 3, 4});
  CHECK(files.ended[0] == std::chrono::milliseconds(100));
}

TEST_CASE("timestamps that wrap at 2^33 still measure the segment") {
  const std::uint64_t near_wrap = (1ULL << 33) - kFrame;
  CHECK(PtsDistance(near_wrap, kFrame) == 2 * kFrame);
  TsSegmenter segmenter(std::chrono::milliseconds(50));
  Files files;
  const Bytes chunk = Join({Pat(), Pmt(), Video(near_wrap, true, 1), Video(kFrame, true, 2)});
  auto actions = segmenter.Push(chunk);
  REQUIRE(actions.ok());
  files.Apply(*actions);
  REQUIRE(files.ended.size() == 1);
  CHECK(files.ended[0] == std::chrono::milliseconds(66));
}

TEST_CASE("data that is not whole TS packets is refused") {
  TsSegmenter segmenter(std::chrono::milliseconds(1000));
  Bytes short_packet = Pat();
  short_packet.pop_back();
  auto refused = segmenter.Push(short_packet);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "bad_ts");
  Bytes lost_sync = Pat();
  lost_sync[0] = 0x48;
  refused = segmenter.Push(lost_sync);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "bad_ts");
}

TEST_CASE("no cut before a PMT has named the video stream") {
  TsSegmenter segmenter(std::chrono::milliseconds(0));
  const Bytes first = Join({Pat(), Video(0, true, 1)});
  auto actions = segmenter.Push(first);
  REQUIRE(actions.ok());
  CHECK(actions->empty());
  const Bytes second = Join({Pmt(), Video(kFrame, true, 2)});
  actions = segmenter.Push(second);
  REQUIRE(actions.ok());
  REQUIRE_FALSE(actions->empty());
  CHECK(std::holds_alternative<TsCut>(actions->front()));
}

}  // namespace bridgecast::media
