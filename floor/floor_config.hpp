#pragma once

#include <chrono>
#include <string>

#include "floor/floor_layout.hpp"

namespace bridgecast::floor {

// The config's `floor` section (docs/floor.md).
struct FloorConfig {
  FloorLayout layout = FloorLayout::kSpeakerPip;
  // The hall's return (the program's picture with the speaker's sound alone)
  // as MPEG-TS over SRT, e.g. "srt://:9710?mode=listener"; empty: none.
  std::string return_srt;
  // No picture from the speaker for this long: it is named over the hall
  // instead. Until then its last picture stays: a lossy line that loses a
  // keyframe freezes the speaker for a moment, it does not flap the layout.
  std::chrono::milliseconds stall{2000};
};

}  // namespace bridgecast::floor
