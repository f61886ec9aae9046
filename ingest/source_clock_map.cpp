#include "ingest/source_clock_map.hpp"

#include <algorithm>

namespace bridgecast::ingest {

void SourceClockMap::Reset() {
  offset_.reset();
  last_source_.reset();
  window_min_ahead_.reset();
}

void SourceClockMap::Anchor(Nanos source, Nanos arrival) {
  offset_ = arrival - source;
  window_start_ = arrival;
  window_min_ahead_.reset();
}

SourceClockMap::Mapped SourceClockMap::Map(Nanos source, Nanos arrival) {
  bool discont = false;
  if (!offset_) {
    Anchor(source, arrival);
  } else if (last_source_ && (source + limits_.jump < *last_source_ ||
                              source > *last_source_ + limits_.jump)) {
    // A loop back to the start, or a restart of the sender's clock.
    Anchor(source, arrival);
    discont = true;
  }
  last_source_ = source;
  Nanos pts = source + *offset_;
  if (arrival - pts > limits_.late) {
    // It would miss the mixer: from now on map to arrival.
    Anchor(source, arrival);
    pts = arrival;
    discont = true;
  }
  const Nanos ahead = pts - arrival;
  window_min_ahead_ = window_min_ahead_ ? std::min(*window_min_ahead_, ahead) : ahead;
  if (arrival - window_start_ >= limits_.window) {
    if (*window_min_ahead_ > limits_.early) {
      // Every buffer of the window waited longer than needed: give the
      // latency back.
      *offset_ -= *window_min_ahead_;
      pts -= *window_min_ahead_;
      discont = true;
    }
    window_start_ = arrival;
    window_min_ahead_.reset();
  }
  return {pts, discont};
}

}  // namespace bridgecast::ingest
