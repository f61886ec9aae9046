#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridgecast::ingest {

enum class SourceState {
  kIdle,        // nothing to play: a WHIP source without a publisher, a file played once
  kConnecting,  // starting, or waiting for its sender
  kLive,        // pictures arrive
  kStalled,     // was live, no picture for the stall time
  kFailed,      // an error; `reason` says which (retried where that can help)
};

std::string_view SourceStateName(SourceState state);

// Decides what is on air (sans-I/O: observations and an explicit time in, a
// decision out). The operator selects a source; while it is not live the
// program shows its backup (and the backup's backup) if one is live, else the
// slate; it returns to the selected source as soon as that is live again.
class OnAirSwitch {
 public:
  using Clock = std::chrono::steady_clock;

  struct SourceSpec {
    std::string id;
    std::string backup;  // empty: none
  };
  struct Timing {
    std::chrono::milliseconds stall{500};
    // Pictures must flow this long before a stalled source counts as live
    // again, so a flapping link does not flip the program at every frame.
    std::chrono::milliseconds settle{150};
  };

  OnAirSwitch(std::vector<SourceSpec> sources, std::string selected, Timing timing);

  bool Has(std::string_view id) const { return sources_.contains(std::string(id)); }
  const std::string& selected() const { return selected_; }
  // Operator's choice; false for an unknown id.
  bool Select(std::string_view id);

  // The source's pipeline started, stopped or failed.
  void SetConnecting(std::string_view id);
  void SetIdle(std::string_view id, std::string reason);
  void SetFailed(std::string_view id, std::string reason);
  // `frames`: pictures received so far (monotonic per source); `last_frame`:
  // when the newest arrived. Called on every tick for every running source.
  void ObserveFrames(std::string_view id, std::uint64_t frames, Clock::time_point last_frame,
                     Clock::time_point now);

  SourceState state(std::string_view id) const;
  const std::string& reason(std::string_view id) const;
  // The source to show, or none for the slate.
  std::optional<std::string> OnAir() const;

 private:
  struct Entry {
    std::string backup;
    SourceState state = SourceState::kConnecting;
    std::string reason;
    std::uint64_t frames = 0;
    std::optional<Clock::time_point> flowing_since;
  };
  Entry* Find(std::string_view id);

  std::map<std::string, Entry> sources_;
  std::string selected_;
  Timing timing_;
};

}  // namespace bridgecast::ingest
