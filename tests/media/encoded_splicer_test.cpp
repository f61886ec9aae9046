#include "media/encoded_splicer.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::media {
namespace {

using std::chrono::milliseconds;
using Splicer = EncodedSplicer<int>;
Splicer::Nanos Ms(int ms) { return milliseconds(ms); }
constexpr int kFrame = 40;  // 25 fps
constexpr int kLatency = 100;  // the program picture of time t reaches the encoder at t + 100
constexpr int kSource = 100000;  // source buffers are kSource + t

// Drives a splicer the way the program does: source access units arrive at
// their own time; program pictures reach the encoder kLatency later, and the
// encoder answers at once. Buffers: kSource + t for the source, t for the
// encoder. Records what reaches the payloader.
struct Run {
  Splicer splicer{Ms(kFrame)};
  std::vector<std::pair<int, int>> sent;  // (pts ms, buffer)
  bool encoder_rested = false;
  int keyframe_every = 1000;  // the source's GOP, in ms

  void Source(int t, bool alive) {
    if (alive) splicer.OnSource("hall", t % keyframe_every == 0, Ms(t), kSource + t);
  }
  void Program(int t) {
    auto v = splicer.OnProgramFrame(Ms(t));
    for (auto& o : v.emit) sent.emplace_back(static_cast<int>(o.pts.count() / 1000000), o.buffer);
    if (!v.encode) {
      encoder_rested = true;
      return;
    }
    for (auto& o : splicer.OnEncoded(v.keyframe || t == 0, Ms(t), t)) {
      sent.emplace_back(static_cast<int>(o.pts.count() / 1000000), o.buffer);
    }
  }
  // Time runs from `from` to `to`; the source sends while `alive(t)`.
  template <typename Alive>
  void Between(int from, int to, Alive alive) {
    for (int t = from; t < to; t += kFrame) {
      Source(t, alive(t));
      if (t - kLatency >= 0) Program(t - kLatency);
    }
  }
  // Every picture's time, in order, at most 1.5 frames apart: no gap, no
  // repeat (the source's pictures need not fall on the program's grid).
  bool Continuous() const {
    for (size_t i = 1; i < sent.size(); ++i) {
      const int step = sent[i].first - sent[i - 1].first;
      if (step <= 0 || step > kFrame * 3 / 2) {
        UNSCOPED_INFO("step at " << i << ": " << sent[i - 1].first << " (" << sent[i - 1].second
                                 << ") then " << sent[i].first << " (" << sent[i].second << ")");
        return false;
      }
    }
    return true;
  }
};

}  // namespace

TEST_CASE("a pass-through starts at the source's keyframe with no gap in time") {
  Run run;
  run.Between(0, 400, [](int) { return true; });
  CHECK_FALSE(run.splicer.active());
  run.splicer.Want("hall");
  run.Between(400, 2400, [](int) { return true; });
  CHECK(run.splicer.active() == "hall");
  CHECK(run.encoder_rested);
  CHECK(run.Continuous());
  // Encoder pictures until the source's keyframe at 1000 ms, the source's after.
  bool saw_encoder_after = false;
  for (auto [pts, buffer] : run.sent) {
    if (pts >= 1000 && buffer < kSource) saw_encoder_after = true;
    if (pts < 1000) CHECK(buffer < kSource);
  }
  CHECK_FALSE(saw_encoder_after);
  CHECK(run.sent.back().second >= kSource);
}

TEST_CASE("a passed-through source that stalls is replaced by the encoder's keyframe seamlessly") {
  Run run;
  run.splicer.Want("hall");
  run.Between(0, 2000, [](int) { return true; });
  REQUIRE(run.splicer.active() == "hall");
  const size_t before = run.sent.size();
  // The source dies at 2000 ms; the program keeps its last picture.
  run.Between(2000, 3000, [](int t) { return t < 2000; });
  CHECK_FALSE(run.splicer.active());
  CHECK(run.Continuous());
  // Its last access unit (1960 ms) went out, then the encoder from 2000 ms.
  bool last_source_sent = false;
  for (size_t i = before; i < run.sent.size(); ++i) {
    if (run.sent[i].second == kSource + 1960) last_source_sent = true;
    if (run.sent[i].first >= 2000) CHECK(run.sent[i].second < kSource);
  }
  CHECK(last_source_sent);
}

TEST_CASE("an operator's switch away leaves at the next program picture, and back at a keyframe") {
  Run run;
  run.splicer.Want("hall");
  run.Between(0, 1400, [](int) { return true; });
  REQUIRE(run.splicer.active() == "hall");
  run.splicer.Want(std::nullopt);
  run.Between(1400, 1600, [](int) { return true; });
  CHECK_FALSE(run.splicer.active());
  run.splicer.Want("hall");
  run.Between(1600, 3200, [](int) { return true; });
  CHECK(run.splicer.active() == "hall");
  CHECK(run.Continuous());
}

TEST_CASE("a source that floods cannot grow the queue") {
  Splicer splicer(Ms(kFrame), 10);
  splicer.Want("hall");
  for (int i = 0; i < 1000; ++i) splicer.OnSource("hall", i % 50 == 0, Ms(i), i);
  // Nothing went out and nothing piles up: at most 10 held.
  auto v = splicer.OnProgramFrame(Ms(0));
  CHECK(v.emit.size() <= 10);
  CHECK(v.encode);
}

}  // namespace bridgecast::media
