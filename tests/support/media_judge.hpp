#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

// Media judged the way users' tools see it: Debian's ffmpeg/ffprobe decode the
// file (never the product's own pipeline), and every line they print at
// `-v error` counts as an error.
namespace bridgecast::test {

struct DecodedPicture {
  double pts_s = 0;
  bool key = false;
  char type = '?';  // I, P, B
};

struct VideoVerdict {
  std::vector<DecodedPicture> pictures;
  std::string errors;  // ffprobe's complaints while decoding; empty when clean

  bool StrictlyIncreasing() const;
  bool StartsWithKeyframe() const;
  double Span() const;  // last pts - first pts, seconds
};

struct AudioVerdict {
  int frames = 0;
  double first_pts_s = 0;
  double end_s = 0;  // pts + duration of the last frame
  std::string errors;
};

struct StampVerdict {
  // One per decoded picture, in order: its capture stamp, if readable.
  std::vector<std::optional<std::chrono::milliseconds>> stamps;
  std::string errors;

  size_t Readable() const;
  // The newest readable stamp; 0 if none.
  std::chrono::milliseconds Last() const;
};

// A stretch of a file to measure; duration_s 0 means to the end.
struct TimeRange {
  double start_s = 0;
  double duration_s = 0;
};

// The mean colour of the central half (in width and in height) of the pictures.
struct MeanRgb {
  double r = 0, g = 0, b = 0;  // 0..255
  int pictures = 0;
  std::string errors;
};

// Levels in dB against full scale 1.0: a full-scale sine has rms_dbfs -3.
struct ToneVerdict {
  double hz = 0;  // the strongest frequency in the band; 0 when there is no audio
  double tone_dbfs = -200;  // the power of that frequency alone (the main lobe)
  double rms_dbfs = -200;   // the power of the whole signal
  double seconds = 0;       // audio measured
  std::string errors;

  // A tone, not silence or noise: loud enough and most of the signal's power.
  bool HasTone(double min_dbfs = -50) const;
};

struct ProbedChapter {
  double start_s = 0;
  std::string title;
};

// ffprobe -show_frames on the first video stream. Error judge_failed when
// ffprobe cannot run or prints nothing usable.
Result<VideoVerdict> JudgeVideo(const std::string& path);
Result<AudioVerdict> JudgeAudio(const std::string& path);
// ffmpeg decodes the first video stream to 8-bit grey pictures of
// width x height; the capture stamp is read from each.
Result<StampVerdict> ReadStamps(const std::string& path, int width, int height);
// ffmpeg decodes the first video stream of `range` to small RGB pictures.
Result<MeanRgb> MeanColour(const std::string& path, TimeRange range = {});
// The mean colour of the central half of one picture every `step_s` seconds
// from the first, in one decode: element i is at i * step_s.
Result<std::vector<MeanRgb>> ColourTimeline(const std::string& path, double step_s);
// ffmpeg decodes the first audio stream of `range` to mono 48 kHz; the
// strongest frequency between min_hz and max_hz is found by an averaged,
// Hann-windowed FFT (5.9 Hz bins, interpolated to well under 1 Hz for a sine).
Result<ToneVerdict> DominantToneHz(const std::string& path, TimeRange range = {},
                                   double min_hz = 100, double max_hz = 4000);
// The chapters ffprobe reads from a file (an MP4's chpl box, for one).
Result<std::vector<ProbedChapter>> ProbeChapters(const std::string& path);

}  // namespace bridgecast::test
