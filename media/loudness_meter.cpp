#include "media/loudness_meter.hpp"

#include <cmath>
#include <numbers>

namespace bridgecast::media {
namespace {

// BS.1770-4 table 1 and 2.
constexpr KWeighting k48k{
    {1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241,
     0.73248077421585},
    {1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621},
};

// Below this a filter state only costs denormal arithmetic.
constexpr double kTinyState = 1e-30;

}  // namespace

KWeighting KWeightingFor(int sample_rate) {
  if (sample_rate == 48000) return k48k;
  const double rate = sample_rate;
  KWeighting k{};
  {
    // High shelf, +4 dB above ~1.7 kHz.
    const double f0 = 1681.974450955533;
    const double gain_db = 3.999843853973347;
    const double q = 0.7071752369554196;
    const double kk = std::tan(std::numbers::pi * f0 / rate);
    const double vh = std::pow(10.0, gain_db / 20.0);
    const double vb = std::pow(vh, 0.4996667741545416);
    const double a0 = 1.0 + kk / q + kk * kk;
    k.shelf = {(vh + vb * kk / q + kk * kk) / a0, 2.0 * (kk * kk - vh) / a0,
               (vh - vb * kk / q + kk * kk) / a0, 2.0 * (kk * kk - 1.0) / a0,
               (1.0 - kk / q + kk * kk) / a0};
  }
  {
    // RLB high-pass at ~38 Hz; the numerator stays 1, −2, 1 as in the table.
    const double f0 = 38.13547087602444;
    const double q = 0.5003270373238773;
    const double kk = std::tan(std::numbers::pi * f0 / rate);
    const double a0 = 1.0 + kk / q + kk * kk;
    k.highpass = {1.0, -2.0, 1.0, 2.0 * (kk * kk - 1.0) / a0, (1.0 - kk / q + kk * kk) / a0};
  }
  return k;
}

LoudnessMeter::LoudnessMeter(int sample_rate, int channels)
    : channels_(channels),
      k_(KWeightingFor(sample_rate)),
      state_(static_cast<size_t>(channels)),
      block_frames_(static_cast<size_t>(sample_rate) / 10) {}

double LoudnessMeter::Run(const Biquad& f, State& s, double x) {
  const double y = f.b0 * x + s.s1;
  s.s1 = f.b1 * x - f.a1 * y + s.s2;
  s.s2 = f.b2 * x - f.a2 * y;
  return y;
}

void LoudnessMeter::Add(const float* interleaved, size_t frames) {
  for (size_t i = 0; i < frames; ++i) {
    for (int c = 0; c < channels_; ++c) {
      auto& st = state_[static_cast<size_t>(c)];
      const double y = Run(k_.highpass, st[1], Run(k_.shelf, st[0], *interleaved++));
      block_sum_ += y * y;
    }
    if (++in_block_ == block_frames_) EndBlock();
  }
}

void LoudnessMeter::EndBlock() {
  blocks_[static_cast<size_t>(next_)] = block_sum_ / static_cast<double>(block_frames_);
  next_ = (next_ + 1) % kShortTermBlocks;
  if (filled_ < kShortTermBlocks) ++filled_;
  block_sum_ = 0;
  in_block_ = 0;
  for (auto& channel : state_) {
    for (auto& st : channel) {
      if (std::abs(st.s1) < kTinyState && std::abs(st.s2) < kTinyState) st = {};
    }
  }
}

std::optional<double> LoudnessMeter::Over(int blocks) const {
  if (filled_ < blocks) return std::nullopt;
  double sum = 0;
  for (int i = 1; i <= blocks; ++i) {
    sum += blocks_[static_cast<size_t>((next_ - i + kShortTermBlocks) % kShortTermBlocks)];
  }
  return -0.691 + 10.0 * std::log10(sum / blocks);
}

std::optional<double> LoudnessMeter::Momentary() const { return Over(kMomentaryBlocks); }

std::optional<double> LoudnessMeter::ShortTerm() const { return Over(kShortTermBlocks); }

}  // namespace bridgecast::media
