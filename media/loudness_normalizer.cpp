#include "media/loudness_normalizer.hpp"

#include <algorithm>
#include <cmath>

namespace bridgecast::media {
namespace {

// Slow up, so that a pause is not pumped up; faster down, so that a loud
// source is not too loud for long (the limiter only guards the peaks).
constexpr double kRiseDbPerSecond = 6.0;
constexpr double kFallDbPerSecond = 24.0;
// The limiter lets go over about this long after a peak.
constexpr double kReleaseSeconds = 0.2;

double FromDb(double db) { return std::pow(10.0, db / 20.0); }

}  // namespace

LoudnessNormalizer::LoudnessNormalizer(int sample_rate, int channels, LoudnessTarget target)
    : channels_(channels),
      target_(target),
      meter_(sample_rate, channels),
      // The aim follows the meter at least every 100 ms, however large the buffers.
      chunk_frames_(static_cast<size_t>(sample_rate) / 10),
      rise_per_sample_db_(kRiseDbPerSecond / sample_rate),
      fall_per_sample_db_(kFallDbPerSecond / sample_rate),
      ceiling_(FromDb(target.peak_dbfs)),
      release_(1.0 - std::exp(-1.0 / (kReleaseSeconds * sample_rate))) {}

void LoudnessNormalizer::Process(float* interleaved, size_t frames) {
  while (frames > 0) {
    const size_t n = std::min(frames, chunk_frames_);
    meter_.Add(interleaved, n);
    Aim();
    Apply(interleaved, n);
    interleaved += n * static_cast<size_t>(channels_);
    frames -= n;
  }
}

void LoudnessNormalizer::Aim() {
  const auto short_term = meter_.ShortTerm();
  const auto momentary = meter_.Momentary();
  // The momentary gate closes within 400 ms of a pause; the short-term one
  // alone would keep raising the gain for 3 s as the speech leaves its window.
  // (A short-term reading implies a momentary one.)
  if (!short_term || *short_term < target_.gate_lufs || *momentary < target_.gate_lufs) return;
  aim_db_ = std::clamp(target_.lufs - *short_term, -target_.max_gain_db, target_.max_gain_db);
}

void LoudnessNormalizer::Apply(float* interleaved, size_t frames) {
  const size_t channels = static_cast<size_t>(channels_);
  for (size_t i = 0; i < frames; ++i, interleaved += channels) {
    // A step per sample, not per buffer: no zipper noise.
    if (gain_db_ != aim_db_) {
      gain_db_ = gain_db_ < aim_db_ ? std::min(aim_db_, gain_db_ + rise_per_sample_db_)
                                    : std::max(aim_db_, gain_db_ - fall_per_sample_db_);
      gain_ = FromDb(gain_db_);
    }
    double peak = 0;
    for (size_t c = 0; c < channels; ++c) peak = std::max(peak, std::abs(interleaved[c] * gain_));
    // Instant attack: the ceiling holds on the very sample that would cross it.
    if (peak * limit_ > ceiling_) limit_ = ceiling_ / peak;
    for (size_t c = 0; c < channels; ++c) {
      interleaved[c] = static_cast<float>(interleaved[c] * gain_ * limit_);
    }
    limit_ += (1.0 - limit_) * release_;
  }
}

}  // namespace bridgecast::media
