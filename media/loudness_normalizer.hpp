#pragma once

#include <cstddef>

#include "media/loudness_meter.hpp"

// Brings every source to one loudness (EBU R128: −23 LUFS), so that a quiet
// lectern mic and a loud clip reach the bridge points at the same level.
// Pure: interleaved float samples in place, no GStreamer.
namespace bridgecast::media {

struct LoudnessTarget {
  double lufs = -23.0;
  double max_gain_db = 20.0;  // either way
  double gate_lufs = -50.0;   // quieter is silence or room noise: gain held
  double peak_dbfs = -1.0;    // sample peak ceiling of the output
};

class LoudnessNormalizer {
 public:
  LoudnessNormalizer(int sample_rate, int channels, LoudnessTarget target = {});

  // Measures the input, then applies the gain and the peak limiter in place.
  void Process(float* interleaved, size_t frames);

  // The normalising gain reached by the last sample, without the limiter's
  // momentary reduction.
  double gain_db() const { return gain_db_; }

 private:
  void Aim();
  void Apply(float* interleaved, size_t frames);

  int channels_;
  LoudnessTarget target_;
  LoudnessMeter meter_;
  size_t chunk_frames_;
  double rise_per_sample_db_;
  double fall_per_sample_db_;
  double ceiling_;
  double release_;
  double aim_db_ = 0;
  double gain_db_ = 0;
  double gain_ = 1;
  double limit_ = 1;  // the limiter's own gain, ≤ 1
};

}  // namespace bridgecast::media
