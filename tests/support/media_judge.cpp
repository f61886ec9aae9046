#include "tests/support/media_judge.hpp"

#include <glib.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
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

}  // namespace

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
