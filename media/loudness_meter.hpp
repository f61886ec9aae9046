#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

// ITU-R BS.1770-4 loudness of interleaved float audio, momentary (400 ms) and
// short-term (3 s) as in EBU R128. Pure: samples in, LUFS out, no GStreamer.
namespace bridgecast::media {

// One second-order section, a0 normalised to 1.
struct Biquad {
  double b0, b1, b2, a1, a2;
};

// The K-weighting: the head's shelf (pre-filter) then the RLB high-pass.
struct KWeighting {
  Biquad shelf;
  Biquad highpass;
};

// BS.1770's table at 48 kHz; other rates derived from the analogue prototype
// by the bilinear transform, as libebur128 does.
KWeighting KWeightingFor(int sample_rate);

class LoudnessMeter {
 public:
  // Every channel weighs 1.0 (L, R, C): the program is mono or stereo.
  LoudnessMeter(int sample_rate, int channels);

  void Add(const float* interleaved, size_t frames);

  // LUFS over the last 400 ms / 3 s of 100 ms blocks; nullopt until that much
  // audio has been added; −∞ for digital silence.
  std::optional<double> Momentary() const;
  std::optional<double> ShortTerm() const;

 private:
  static constexpr int kShortTermBlocks = 30;
  static constexpr int kMomentaryBlocks = 4;

  struct State {
    double s1 = 0, s2 = 0;  // transposed direct form II
  };
  static double Run(const Biquad& f, State& s, double x);
  void EndBlock();
  std::optional<double> Over(int blocks) const;

  int channels_;
  KWeighting k_;
  std::vector<std::array<State, 2>> state_;  // per channel: shelf, high-pass
  size_t block_frames_;
  size_t in_block_ = 0;
  double block_sum_ = 0;  // weighted squares of the block under way
  std::array<double, kShortTermBlocks> blocks_{};  // mean squares, a ring
  int next_ = 0;
  int filled_ = 0;
};

}  // namespace bridgecast::media
