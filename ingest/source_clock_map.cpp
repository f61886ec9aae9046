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
  const bool jumped = last_source_ && (source + limits_.jump < *last_source_ ||
                                       source > *last_source_ + limits_.jump);
  last_source_ = source;
  if (!offset_ || jumped) {
    // The first buffer, a loop back to the start, or a restart of the
    // sender's clock: the window starts after this buffer, which says
    // nothing about how early the next ones will be.
    const bool discont = offset_.has_value();
    Anchor(source, arrival);
    return {arrival, discont};
  }
  Nanos pts = source + *offset_;
  if (arrival - pts > limits_.late) {
    // It would miss the mixer: from now on map to arrival.
    Anchor(source, arrival);
    return {arrival, true};
  }
  bool discont = false;
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
