#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <vector>

#include "media/loudness_meter.hpp"

namespace bridgecast::media {
namespace {

constexpr int kRate = 48000;

double FromDb(double db) { return std::pow(10.0, db / 20.0); }

// `seconds` of a sine with peak `dbfs` in the channels of `on` (one flag each).
std::vector<float> Sine(int rate, double hz, double dbfs, double seconds, std::vector<bool> on) {
  const size_t frames = static_cast<size_t>(seconds * rate);
  const double amplitude = FromDb(dbfs);
  std::vector<float> samples(frames * on.size());
  for (size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / rate;
    const auto v = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * t));
    for (size_t c = 0; c < on.size(); ++c) samples[i * on.size() + c] = on[c] ? v : 0.0f;
  }
  return samples;
}

std::vector<float> StereoSine(double hz, double dbfs, double seconds, int rate = kRate) {
  return Sine(rate, hz, dbfs, seconds, {true, true});
}

struct Reading {
  double momentary;
  double short_term;
};

Reading Measure(const std::vector<float>& samples, int channels, int rate = kRate) {
  LoudnessMeter meter(rate, channels);
  meter.Add(samples.data(), samples.size() / static_cast<size_t>(channels));
  REQUIRE(meter.Momentary());
  REQUIRE(meter.ShortTerm());
  return {*meter.Momentary(), *meter.ShortTerm()};
}

}  // namespace

TEST_CASE("loudness meter: a stereo 1 kHz sine at -23 dBFS reads -23 LUFS (EBU Tech 3341 case 1)") {
  const auto reading = Measure(StereoSine(1000, -23, 5), 2);
  CHECK(reading.momentary == Approx(-23.0).margin(0.1));
  CHECK(reading.short_term == Approx(-23.0).margin(0.1));
}

TEST_CASE("loudness meter: a stereo 1 kHz sine at -33 dBFS reads -33 LUFS (EBU Tech 3341 case 2)") {
  const auto reading = Measure(StereoSine(1000, -33, 5), 2);
  CHECK(reading.momentary == Approx(-33.0).margin(0.1));
  CHECK(reading.short_term == Approx(-33.0).margin(0.1));
}

TEST_CASE("loudness meter: 997 Hz at 0 dBFS in one channel of a stereo pair reads -3.01 LKFS") {
  const auto reading = Measure(Sine(kRate, 997, 0, 5, {true, false}), 2);
  CHECK(reading.momentary == Approx(-3.01).margin(0.1));
  CHECK(reading.short_term == Approx(-3.01).margin(0.1));
}

TEST_CASE("loudness meter: derived 44.1 kHz filters read a -23 dBFS sine as -23 LUFS") {
  const auto reading = Measure(StereoSine(1000, -23, 5, 44100), 2, 44100);
  CHECK(reading.momentary == Approx(-23.0).margin(0.1));
  CHECK(reading.short_term == Approx(-23.0).margin(0.1));
}

TEST_CASE("loudness meter: the bilinear transform at 48 kHz gives back the BS.1770 table") {
  // 48000 itself returns the table, so derive just beside it.
  const KWeighting table = KWeightingFor(48000);
  const KWeighting derived = KWeightingFor(48001);
  CHECK(derived.shelf.b0 == Approx(table.shelf.b0).margin(1e-4));
  CHECK(derived.shelf.b1 == Approx(table.shelf.b1).margin(1e-4));
  CHECK(derived.shelf.b2 == Approx(table.shelf.b2).margin(1e-4));
  CHECK(derived.shelf.a1 == Approx(table.shelf.a1).margin(1e-4));
  CHECK(derived.shelf.a2 == Approx(table.shelf.a2).margin(1e-4));
  CHECK(derived.highpass.b1 == table.highpass.b1);
  CHECK(derived.highpass.a1 == Approx(table.highpass.a1).margin(1e-4));
  CHECK(derived.highpass.a2 == Approx(table.highpass.a2).margin(1e-4));
}

TEST_CASE("loudness meter: K-weighting puts 100 Hz 1.83 dB under 1 kHz and 10 kHz 3.34 dB over") {
  // The curve's values relative to 1 kHz (the +4 dB shelf already lifts 1 kHz by 0.7 dB).
  for (int rate : {48000, 44100}) {
    CAPTURE(rate);
    const double at_1k = Measure(StereoSine(1000, -20, 4, rate), 2, rate).short_term;
    const double at_100 = Measure(StereoSine(100, -20, 4, rate), 2, rate).short_term;
    const double at_10k = Measure(StereoSine(10000, -20, 4, rate), 2, rate).short_term;
    CHECK(at_100 - at_1k == Approx(-1.83).margin(0.1));
    CHECK(at_10k - at_1k == Approx(3.34).margin(0.1));
  }
}

TEST_CASE("loudness meter: no reading before 400 ms (momentary) and 3 s (short-term) of audio") {
  LoudnessMeter meter(kRate, 2);
  const auto tone = StereoSine(1000, -23, 3);
  meter.Add(tone.data(), kRate * 4 / 10 - 1);
  CHECK(!meter.Momentary());
  meter.Add(tone.data() + 2 * (kRate * 4 / 10 - 1), 1);
  CHECK(meter.Momentary());
  CHECK(!meter.ShortTerm());
  meter.Add(tone.data() + 2 * (kRate * 4 / 10), kRate * 26 / 10);
  CHECK(meter.ShortTerm());
}

TEST_CASE("loudness meter: digital silence reads minus infinity") {
  const auto reading = Measure(std::vector<float>(kRate * 2 * 4), 2);
  CHECK(std::isinf(reading.short_term));
  CHECK(reading.short_term < 0);
}

}  // namespace bridgecast::media
