#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace bridgecast::ingest {

// Maps a source's timestamps (running time in its own pipeline) onto the
// program's running time. Sources come with their own clocks, latencies and
// jumps (a file that loops, an encoder that restarts); the program needs
// timestamps that arrive a little before the mixer wants them and that keep
// the source's own spacing, so audio stays gapless and lip sync holds.
//
// The offset is anchored at the first buffer (mapped time = its arrival) and
// moved only when a buffer would be late for the mixer, when buffers have
// been well ahead of time for a whole window (latency that is no longer
// needed), or when the source time jumps.
class SourceClockMap {
 public:
  using Nanos = std::chrono::nanoseconds;

  struct Limits {
    Nanos late{std::chrono::milliseconds(80)};   // less than the mixer's latency
    Nanos early{std::chrono::milliseconds(150)};
    Nanos window{std::chrono::seconds(2)};
    Nanos jump{std::chrono::seconds(1)};
  };

  struct Mapped {
    Nanos pts;
    bool discont;  // the offset moved: the stream has a gap or an overlap here
  };

  SourceClockMap() = default;
  explicit SourceClockMap(Limits limits) : limits_(limits) {}

  // `source` is the buffer's running time in the source pipeline, `arrival`
  // the program's running time when it arrived.
  Mapped Map(Nanos source, Nanos arrival);
  // Forget the anchor (the source restarted).
  void Reset();

 private:
  void Anchor(Nanos source, Nanos arrival);

  Limits limits_;
  std::optional<Nanos> offset_;
  std::optional<Nanos> last_source_;
  Nanos window_start_{0};
  std::optional<Nanos> window_min_ahead_;
};

}  // namespace bridgecast::ingest
