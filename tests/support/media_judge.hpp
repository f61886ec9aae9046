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
// The chapters ffprobe reads from a file (an MP4's chpl box, for one).
Result<std::vector<ProbedChapter>> ProbeChapters(const std::string& path);

}  // namespace bridgecast::test
