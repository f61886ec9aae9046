#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include "media/loudness_meter.hpp"
#include "media/loudness_normalizer.hpp"

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

// Stereo, a full-scale 1 kHz square.
std::vector<float> Square(double seconds) {
  const size_t frames = static_cast<size_t>(seconds * kRate);
  std::vector<float> samples(frames * 2);
  for (size_t i = 0; i < frames; ++i) {
    samples[2 * i] = samples[2 * i + 1] = (i / 24) % 2 == 0 ? 1.0f : -1.0f;
  }
  return samples;
}

// Stereo white noise of RMS `dbfs`.
std::vector<float> Noise(double dbfs, double seconds) {
  std::mt19937 random(7);
  std::normal_distribution<double> normal(0.0, FromDb(dbfs));
  std::vector<float> samples(static_cast<size_t>(seconds * kRate) * 2);
  for (auto& s : samples) s = static_cast<float>(normal(random));
  return samples;
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

// Short-term loudness of what the normaliser made of `samples` (stereo), fed in 10 ms buffers.
double ProcessAndMeasure(LoudnessNormalizer& normalizer, std::vector<float> samples) {
  for (size_t at = 0; at < samples.size(); at += 960) {
    normalizer.Process(samples.data() + at, std::min<size_t>(480, (samples.size() - at) / 2));
  }
  return Measure(samples, 2).short_term;
}

double Peak(const std::vector<float>& samples) {
  double peak = 0;
  for (float s : samples) peak = std::max(peak, static_cast<double>(std::abs(s)));
  return peak;
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

TEST_CASE("loudness normalizer: a 1 kHz sine at -40 dBFS is brought up to -23 LUFS within 10 s") {
  LoudnessNormalizer normalizer(kRate, 2);
  CHECK(ProcessAndMeasure(normalizer, StereoSine(1000, -40, 10)) == Approx(-23.0).margin(1.0));
  CHECK(normalizer.gain_db() == Approx(17.0).margin(1.0));
}

TEST_CASE("loudness normalizer: a 1 kHz sine at -10 dBFS is brought down to -23 LUFS within 10 s") {
  LoudnessNormalizer normalizer(kRate, 2);
  CHECK(ProcessAndMeasure(normalizer, StereoSine(1000, -10, 10)) == Approx(-23.0).margin(1.0));
  CHECK(normalizer.gain_db() == Approx(-13.0).margin(1.0));
}

TEST_CASE("loudness normalizer: the gain stops at +20 dB for a quiet source above the gate") {
  LoudnessNormalizer normalizer(kRate, 2);
  ProcessAndMeasure(normalizer, StereoSine(1000, -47, 10));
  CHECK(normalizer.gain_db() == Approx(20.0));
}

TEST_CASE("loudness normalizer: silence and -70 dBFS room noise are not raised") {
  LoudnessNormalizer normalizer(kRate, 2);
  ProcessAndMeasure(normalizer, std::vector<float>(kRate * 2 * 10));
  CHECK(normalizer.gain_db() == 0.0);
  ProcessAndMeasure(normalizer, Noise(-70, 10));
  CHECK(normalizer.gain_db() == 0.0);

  // After speech the gain stays where the speech left it; it may creep by the
  // few tenths of a dB the short-term window drifts before the momentary gate closes.
  ProcessAndMeasure(normalizer, StereoSine(1000, -30, 10));
  const double speech_gain = normalizer.gain_db();
  CHECK(speech_gain == Approx(7.0).margin(1.0));
  ProcessAndMeasure(normalizer, std::vector<float>(kRate * 2 * 10));
  CHECK(normalizer.gain_db() <= speech_gain + 0.5);
  const double after_silence = normalizer.gain_db();
  ProcessAndMeasure(normalizer, Noise(-70, 10));
  CHECK(normalizer.gain_db() == after_silence);
}

TEST_CASE("loudness normalizer: the output never peaks above -1 dBFS") {
  // The ceiling, with room for rounding to float (a millionth, 0.00001 dB).
  const double ceiling = FromDb(-1.0) * (1 + 1e-6);

  SECTION("a full-scale square wave from the start") {
    LoudnessNormalizer normalizer(kRate, 2);
    auto square = Square(10);
    normalizer.Process(square.data(), square.size() / 2);
    CHECK(Peak(square) <= ceiling);
    CHECK(Peak(square) > FromDb(-25.0));  // limited, not muted
  }
  SECTION("a full-scale square wave after a quiet mic raised the gain by 17 dB") {
    LoudnessNormalizer normalizer(kRate, 2);
    auto quiet = StereoSine(1000, -40, 10);
    normalizer.Process(quiet.data(), quiet.size() / 2);
    REQUIRE(normalizer.gain_db() > 15.0);
    auto square = Square(10);
    for (size_t at = 0; at < square.size(); at += 960) normalizer.Process(square.data() + at, 480);
    CHECK(Peak(square) <= ceiling);
    CHECK(normalizer.gain_db() == Approx(-20.0));
  }
}

TEST_CASE("loudness normalizer: the gain moves by tiny steps from one sample to the next") {
  LoudnessNormalizer normalizer(kRate, 2);
  std::vector<float> program = StereoSine(1000, -40, 8);
  const auto loud = StereoSine(1000, -10, 8);
  program.insert(program.end(), loud.begin(), loud.end());
  double previous = normalizer.gain_db();
  double largest_step = 0;
  double smallest = 0, largest = 0;
  for (size_t at = 0; at < program.size(); at += 2) {
    normalizer.Process(program.data() + at, 1);
    largest_step = std::max(largest_step, std::abs(normalizer.gain_db() - previous));
    previous = normalizer.gain_db();
    smallest = std::min(smallest, previous);
    largest = std::max(largest, previous);
  }
  // The ramp went both ways over more than 25 dB, never by more than 24 dB/s
  // (0.0005 dB a sample).
  CHECK(largest > 15.0);
  CHECK(smallest < -10.0);
  CHECK(largest_step <= 24.0 / kRate + 1e-9);
}

}  // namespace bridgecast::media
