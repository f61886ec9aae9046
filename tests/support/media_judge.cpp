#include "tests/support/media_judge.hpp"

#include <glib.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numbers>
#include <sstream>

#include "media/capture_stamp.hpp"

namespace bridgecast::test {
namespace {

struct Run {
  std::string out;  // binary-safe
  std::string err;
};

std::string Quote(const std::string& s) {
  gchar* q = g_shell_quote(s.c_str());
  std::string out(q);
  g_free(q);
  return out;
}

// Runs a shell command line; stdout is read whole, stderr goes through a file.
Result<Run> Shell(const std::string& command) {
  char err_path[] = "/tmp/bridgecast-judge-XXXXXX";
  const int fd = mkstemp(err_path);
  if (fd < 0) return Error{"judge_failed", "mkstemp failed"};
  close(fd);
  FILE* pipe = popen((command + " 2>" + Quote(err_path)).c_str(), "r");
  if (!pipe) {
    unlink(err_path);
    return Error{"judge_failed", "cannot run: " + command};
  }
  Run run;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = pclose(pipe);
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  run.err = text.str();
  unlink(err_path);
  if (status != 0 && run.out.empty()) {
    return Error{"judge_failed", command + " failed: " + run.err};
  }
  return run;
}

std::vector<std::string> Split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, separator)) fields.push_back(field);
  return fields;
}

// ffmpeg output options that cut `range` out of the decoded input.
std::string RangeOptions(const TimeRange& range) {
  std::string options;
  if (range.start_s > 0) options += " -ss " + std::to_string(range.start_s);
  if (range.duration_s > 0) options += " -t " + std::to_string(range.duration_s);
  return options;
}

// In-place radix-2 FFT; the size must be a power of two.
void Fft(std::vector<std::complex<double>>& x) {
  const size_t n = x.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const std::complex<double> step =
        std::polar(1.0, -2 * std::numbers::pi / static_cast<double>(len));
    for (size_t i = 0; i < n; i += len) {
      std::complex<double> w = 1;
      for (size_t k = 0; k < len / 2; ++k, w *= step) {
        const std::complex<double> u = x[i + k];
        const std::complex<double> v = x[i + k + len / 2] * w;
        x[i + k] = u + v;
        x[i + k + len / 2] = u - v;
      }
    }
  }
}

double Dbfs(double mean_square) { return 10 * std::log10(std::max(mean_square, 1e-20)); }

}  // namespace

bool ToneVerdict::HasTone(double min_dbfs) const {
  // At least half of the signal's power is in the tone.
  return hz > 0 && tone_dbfs >= min_dbfs && tone_dbfs - rms_dbfs > -3;
}

bool VideoVerdict::StrictlyIncreasing() const {
  for (size_t i = 1; i < pictures.size(); ++i) {
    if (!(pictures[i].pts_s > pictures[i - 1].pts_s)) return false;
  }
  return true;
}

bool VideoVerdict::StartsWithKeyframe() const {
  return !pictures.empty() && pictures.front().key && pictures.front().type == 'I';
}

double VideoVerdict::Span() const {
  return pictures.empty() ? 0 : pictures.back().pts_s - pictures.front().pts_s;
}

size_t StampVerdict::Readable() const {
  size_t n = 0;
  for (const auto& s : stamps) n += s.has_value();
  return n;
}

std::chrono::milliseconds StampVerdict::Last() const {
  for (auto it = stamps.rbegin(); it != stamps.rend(); ++it) {
    if (*it) return **it;
  }
  return std::chrono::milliseconds(0);
}

Result<VideoVerdict> JudgeVideo(const std::string& path) {
  auto run = Shell("ffprobe -v error -select_streams v:0 -show_entries "
                   "frame=pts_time,key_frame,pict_type -of csv=p=0 " + Quote(path));
  if (!run) return run.error();
  VideoVerdict verdict;
  verdict.errors = run->err;
  std::stringstream lines(run->out);
  std::string line;
  // ffprobe prints the fields in its own order: key_frame,pts_time,pict_type.
  while (std::getline(lines, line)) {
    if (line.empty()) continue;  // ffprobe's separator after side data
    const auto f = Split(line, ',');
    if (f.size() < 3 || f[1] == "N/A") {
      verdict.errors += "picture without a timestamp: " + line + "\n";
      continue;
    }
    verdict.pictures.push_back({std::stod(f[1]), f[0] == "1", f[2].empty() ? '?' : f[2][0]});
  }
  return verdict;
}

Result<AudioVerdict> JudgeAudio(const std::string& path) {
  auto run = Shell("ffprobe -v error -select_streams a:0 -show_entries "
                   "frame=pts_time,duration_time,pkt_duration_time -of json " + Quote(path));
  if (!run) return run.error();
  const auto json = nlohmann::json::parse(run->out, nullptr, false);
  if (!json.is_object()) return Error{"judge_failed", "ffprobe: " + run->err};
  AudioVerdict verdict;
  verdict.errors = run->err;
  for (const auto& frame : json.value("frames", nlohmann::json::array())) {
    // Debian 12's ffprobe (5.1) names the duration pkt_duration_time.
    const char* duration = frame.contains("duration_time") ? "duration_time" : "pkt_duration_time";
    if (!frame.contains("pts_time") || !frame.contains(duration)) continue;
    const double pts = std::stod(frame["pts_time"].get<std::string>());
    if (verdict.frames++ == 0) verdict.first_pts_s = pts;
    verdict.end_s = pts + std::stod(frame[duration].get<std::string>());
  }
  return verdict;
}

Result<std::vector<ProbedChapter>> ProbeChapters(const std::string& path) {
  auto run = Shell("ffprobe -v error -show_chapters -of json " + Quote(path));
  if (!run) return run.error();
  const auto json = nlohmann::json::parse(run->out, nullptr, false);
  if (!json.is_object()) return Error{"judge_failed", "ffprobe: " + run->err};
  std::vector<ProbedChapter> chapters;
  for (const auto& c : json.value("chapters", nlohmann::json::array())) {
    chapters.push_back({std::stod(c["start_time"].get<std::string>()),
                        c.value("tags", nlohmann::json::object()).value("title", "")});
  }
  return chapters;
}

Result<MeanRgb> MeanColour(const std::string& path, TimeRange range) {
  // Small pictures: the mean needs no detail, and the pipe stays small.
  constexpr int kWidth = 32, kHeight = 18;
  auto run = Shell("ffmpeg -nostdin -v error -i " + Quote(path) + RangeOptions(range) +
                   " -map 0:v:0 -vsync passthrough -vf crop=iw/2:ih/2,scale=" +
                   std::to_string(kWidth) + ":" + std::to_string(kHeight) +
                   " -f rawvideo -pix_fmt rgb24 -");
  if (!run) return run.error();
  MeanRgb mean;
  mean.errors = run->err;
  const size_t size = kWidth * kHeight * 3;
  double sum[3] = {0, 0, 0};
  for (size_t offset = 0; offset + size <= run->out.size(); offset += size) {
    for (size_t i = 0; i < size; ++i) sum[i % 3] += static_cast<uint8_t>(run->out[offset + i]);
    ++mean.pictures;
  }
  if (mean.pictures == 0) return Error{"judge_failed", "no picture decoded: " + run->err};
  const double pixels = static_cast<double>(mean.pictures) * kWidth * kHeight;
  mean.r = sum[0] / pixels;
  mean.g = sum[1] / pixels;
  mean.b = sum[2] / pixels;
  return mean;
}

Result<std::vector<MeanRgb>> ColourTimeline(const std::string& path, double step_s) {
  constexpr int kWidth = 32, kHeight = 18;
  auto run = Shell("ffmpeg -nostdin -v error -i " + Quote(path) +
                   " -map 0:v:0 -vf fps=1/" + std::to_string(step_s) +
                   ",crop=iw/2:ih/2,scale=" + std::to_string(kWidth) + ":" +
                   std::to_string(kHeight) + " -f rawvideo -pix_fmt rgb24 -");
  if (!run) return run.error();
  std::vector<MeanRgb> out;
  const size_t size = kWidth * kHeight * 3;
  for (size_t offset = 0; offset + size <= run->out.size(); offset += size) {
    double sum[3] = {0, 0, 0};
    for (size_t i = 0; i < size; ++i) sum[i % 3] += static_cast<uint8_t>(run->out[offset + i]);
    MeanRgb picture;
    picture.pictures = 1;
    picture.errors = run->err;
    picture.r = sum[0] / (kWidth * kHeight);
    picture.g = sum[1] / (kWidth * kHeight);
    picture.b = sum[2] / (kWidth * kHeight);
    out.push_back(picture);
  }
  if (out.empty()) return Error{"judge_failed", "no picture decoded: " + run->err};
  return out;
}

Result<ToneVerdict> DominantToneHz(const std::string& path, TimeRange range, double min_hz,
                                   double max_hz) {
  constexpr int kRate = 48000;
  constexpr size_t kBlock = 8192;  // 5.9 Hz bins
  auto run = Shell("ffmpeg -nostdin -v error -i " + Quote(path) + RangeOptions(range) +
                   " -map 0:a:0 -ac 1 -ar " + std::to_string(kRate) + " -f s16le -");
  if (!run) return run.error();
  std::vector<double> samples(run->out.size() / 2);
  for (size_t i = 0; i < samples.size(); ++i) {
    int16_t s;
    std::memcpy(&s, run->out.data() + 2 * i, 2);
    samples[i] = s / 32768.0;
  }
  if (samples.size() < kBlock) {
    return Error{"judge_failed",
                 "under " + std::to_string(kBlock) + " samples of audio: " + run->err};
  }
  ToneVerdict verdict;
  verdict.errors = run->err;
  verdict.seconds = static_cast<double>(samples.size()) / kRate;
  double square_sum = 0;
  for (double s : samples) square_sum += s * s;
  verdict.rms_dbfs = Dbfs(square_sum / static_cast<double>(samples.size()));

  // Welch: the power spectra of whole Hann-windowed blocks, averaged.
  std::vector<double> window(kBlock);
  double window_energy = 0;
  for (size_t n = 0; n < kBlock; ++n) {
    window[n] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(n) / kBlock);
    window_energy += window[n] * window[n];
  }
  std::vector<double> power(kBlock / 2, 0);
  const size_t blocks = samples.size() / kBlock;
  std::vector<std::complex<double>> x(kBlock);
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t n = 0; n < kBlock; ++n) x[n] = samples[b * kBlock + n] * window[n];
    Fft(x);
    for (size_t k = 0; k < power.size(); ++k) {
      power[k] += std::norm(x[k]) / static_cast<double>(blocks);
    }
  }

  const double bin_hz = static_cast<double>(kRate) / kBlock;
  const size_t low = std::max<size_t>(1, static_cast<size_t>(std::ceil(min_hz / bin_hz)));
  const size_t high = std::min(power.size() - 2, static_cast<size_t>(max_hz / bin_hz));
  if (low > high) return Error{"judge_failed", "empty frequency band"};
  const auto band = power.begin() + static_cast<long>(low);
  const size_t peak = static_cast<size_t>(
      std::max_element(band, band + static_cast<long>(high - low) + 1) - power.begin());
  if (power[peak] <= 0) return verdict;  // digital silence: no frequency at all
  // A parabola through the log powers around the peak puts a Hann-windowed
  // sine within a few hundredths of a bin.
  const double a = std::log(std::max(power[peak - 1], 1e-30));
  const double c = std::log(std::max(power[peak + 1], 1e-30));
  const double m = std::log(power[peak]);
  const double denominator = a - 2 * m + c;
  const double offset = denominator < 0 ? 0.5 * (a - c) / denominator : 0;
  verdict.hz = (static_cast<double>(peak) + offset) * bin_hz;
  // The main lobe spans ±2 bins around the true frequency; ±3 keeps it whole
  // wherever the sine falls between bins. Twice for the mirrored half.
  double lobe = 0;
  const size_t last = std::min(peak + 3, power.size() - 1);
  for (size_t k = peak - std::min<size_t>(peak, 3); k <= last; ++k) lobe += power[k];
  verdict.tone_dbfs = Dbfs(2 * lobe / (kBlock * window_energy));
  return verdict;
}

Result<StampVerdict> ReadStamps(const std::string& path, int width, int height) {
  auto run = Shell("ffmpeg -nostdin -v error -i " + Quote(path) +
                   " -map 0:v:0 -vsync passthrough -f rawvideo -pix_fmt gray -");
  if (!run) return run.error();
  StampVerdict verdict;
  verdict.errors = run->err;
  const size_t size = static_cast<size_t>(width) * static_cast<size_t>(height);
  for (size_t offset = 0; offset + size <= run->out.size(); offset += size) {
    const media::LumaPlane plane{reinterpret_cast<uint8_t*>(run->out.data() + offset), width,
                                 height, width};
    auto stamp = media::ReadCaptureStamp(plane);
    verdict.stamps.push_back(stamp ? std::optional(*stamp) : std::nullopt);
  }
  return verdict;
}

}  // namespace bridgecast::test
