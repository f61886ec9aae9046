#include "media/recorder.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "media/archive_export.hpp"
#include "media/media_probe.hpp"
#include "media/mp4_chapters.hpp"
#include "media_test_util.hpp"
#include "tests/support/media_judge.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::media {
namespace {

namespace fs = std::filesystem;
using bridgecast::test::TempDir;

struct RecordingListener final : Recorder::Listener {
  void OnRecorderSegmentOpened(const RecorderSegment& s) override { opened.push_back(s); }
  void OnRecorderSegmentClosed(const RecorderSegment& s) override { closed.push_back(s); }
  void OnRecorderFailed(const std::string& message) override { failures.push_back(message); }
  void OnRecorderStopped() override { stopped = true; }
  std::vector<RecorderSegment> opened;
  std::vector<RecorderSegment> closed;
  std::vector<std::string> failures;
  bool stopped = false;
};

RecorderConfig ShortSegments(const std::string& directory, unsigned run) {
  RecorderConfig config;
  config.directory = directory;
  config.run = run;
  config.max_segment = std::chrono::seconds(1);
  return config;
}

ProgramConfig OneSecondKeyframes() {
  ProgramConfig c = test::SmallProgram();
  c.keyframe_interval = std::chrono::seconds(1);
  return c;
}

// What ffmpeg makes of one file: clean, keyframe first, one picture per
// captured frame with strictly increasing timestamps, each carrying its
// capture stamp. `frames` is how many the file should hold.
void CheckDecodesWhole(const std::string& path, double frames, double tolerance) {
  auto video = bridgecast::test::JudgeVideo(path);
  REQUIRE(video.ok());
  INFO(path << ": " << video->pictures.size() << " pictures, expected " << frames << "; errors: "
            << video->errors);
  CHECK(video->errors.empty());
  CHECK(video->StartsWithKeyframe());
  CHECK(video->StrictlyIncreasing());
  CHECK(std::abs(static_cast<double>(video->pictures.size()) - frames) <= tolerance);
  auto stamps = bridgecast::test::ReadStamps(path, 320, 180);
  REQUIRE(stamps.ok());
  CHECK(stamps->stamps.size() == video->pictures.size());
  CHECK(stamps->Readable() >= 0.99 * stamps->stamps.size());
  // One picture per captured frame: each stamp newer than the one before.
  std::chrono::milliseconds previous{0};
  for (const auto& stamp : stamps->stamps) {
    if (!stamp) continue;
    CHECK(*stamp > previous);
    previous = *stamp;
  }
}

}  // namespace

TEST_CASE("the recorder writes decodable TS segments of the program and closes them on stop") {
  TempDir dir;
  test::TestProgram program(OneSecondKeyframes());
  REQUIRE(program.Start());
  RecordingListener listener;
  const auto before = std::chrono::system_clock::now();
  auto recorder = Recorder::Start(*program, ShortSegments(dir.path(), 3), listener);
  REQUIRE(recorder.ok());
  test::RunLoopUntil([&] { return listener.closed.size() >= 3; }, std::chrono::seconds(15));
  REQUIRE(listener.closed.size() >= 3);
  (*recorder)->Stop();
  REQUIRE(test::RunLoopUntil([&] { return listener.stopped; }, std::chrono::seconds(8)));
  recorder->reset();

  CHECK(listener.failures.empty());
  CHECK(program.listener.errors.empty());
  REQUIRE(listener.opened.size() == listener.closed.size());
  CHECK(listener.opened[0].file == "run0003-seg00000.ts");
  CHECK(listener.opened[0].wall_start >= std::chrono::time_point_cast<std::chrono::milliseconds>(
                                             before) - std::chrono::seconds(1));
  std::chrono::milliseconds total{0};
  for (size_t i = 0; i < listener.closed.size(); ++i) {
    const RecorderSegment& s = listener.closed[i];
    CHECK(s.seq == i);
    CHECK(s.run == 3);
    CHECK(s.bytes > 1000);
    CHECK(s.bytes == fs::file_size(dir.path() + "/" + s.file));
    auto info = ProbeMedia(dir.path() + "/" + s.file);
    REQUIRE(info.ok());
    INFO(s.file << " recorder " << s.duration.count() << " ms, probe " << info->duration.count()
                << " ms, " << s.bytes << " bytes");
    CHECK(info->video);
    CHECK(info->audio);
    CHECK(info->audio_codec == "audio/mpeg");
    // The recorder's duration is the muxed one within a frame or so.
    CHECK(std::chrono::abs(info->duration - s.duration) < std::chrono::milliseconds(200));
    // Cuts come at keyframes after max_segment; the first may be short when the
    // keyframe the recorder asks for lands right after the regular one.
    if (i > 0 && i + 1 < listener.closed.size()) CHECK(s.duration >= std::chrono::milliseconds(800));
    total += s.duration;
    if (i > 0) {
      const auto expected_start = listener.closed[i - 1].wall_start + listener.closed[i - 1].duration;
      CHECK(std::chrono::abs(s.wall_start - expected_start) < std::chrono::milliseconds(200));
    }
    // The segment's wall-clock start is when its first picture was captured:
    // what chapters and the minutes' links are placed by.
    auto stamps = bridgecast::test::ReadStamps(dir.path() + "/" + s.file, 320, 180);
    REQUIRE(stamps.ok());
    REQUIRE_FALSE(stamps->stamps.empty());
    REQUIRE(stamps->stamps[0]);
    CHECK(std::chrono::abs(*stamps->stamps[0] - s.wall_start.time_since_epoch()) <=
          std::chrono::milliseconds(20));
    // Each segment decodes alone (as an HLS player seeking to it does).
    CheckDecodesWhole(dir.path() + "/" + s.file, s.duration.count() * 15 / 1000.0, 1);
  }
  CHECK(total >= std::chrono::seconds(3));
}

TEST_CASE("two runs export to one MP4 with chapters") {
  TempDir dir;
  test::TestProgram program(OneSecondKeyframes());
  REQUIRE(program.Start());
  std::vector<std::vector<std::string>> runs;
  std::chrono::milliseconds recorded{0};
  for (unsigned run = 1; run <= 2; ++run) {
    RecordingListener listener;
    auto recorder = Recorder::Start(*program, ShortSegments(dir.path(), run), listener);
    REQUIRE(recorder.ok());
    REQUIRE(test::RunLoopUntil([&] { return listener.closed.size() >= 2; },
                               std::chrono::seconds(10)));
    (*recorder)->Stop();
    REQUIRE(test::RunLoopUntil([&] { return listener.stopped; }, std::chrono::seconds(8)));
    runs.emplace_back();
    for (const RecorderSegment& s : listener.closed) {
      runs.back().push_back(dir.path() + "/" + s.file);
      recorded += s.duration;
    }
  }
  const std::string out = dir.path() + "/export.mp4";
  Status exported = ExportMp4(runs, out, std::chrono::seconds(60));
  INFO((exported.ok() ? "" : exported.error().message));
  REQUIRE(exported.ok());
  REQUIRE(WriteMp4Chapters(out, {{std::chrono::milliseconds(0), "Khai mạc"},
                                 {std::chrono::milliseconds(2000), "Thảo luận"}}));
  auto info = ProbeMedia(out);
  REQUIRE(info.ok());
  CHECK(info->video_codec == "video/x-h264");
  CHECK(info->audio_codec == "audio/mpeg");
  INFO("recorded " << recorded.count() << " ms, exported " << info->duration.count() << " ms");
  CHECK(std::chrono::abs(info->duration - recorded) < std::chrono::milliseconds(400));
  CheckDecodesWhole(out, recorded.count() * 15 / 1000.0, std::max(2.0, recorded.count() * 0.015 / 100));
  auto chapters = ReadMp4Chapters(out);
  REQUIRE(chapters.ok());
  REQUIRE(chapters->size() == 2);
  CHECK((*chapters)[1].title == "Thảo luận");
  // ffmpeg reads the same chapters.
  auto probed = bridgecast::test::ProbeChapters(out);
  REQUIRE(probed.ok());
  REQUIRE(probed->size() == 2);
  CHECK((*probed)[1].title == "Thảo luận");
  CHECK((*probed)[1].start_s == Approx(2.0));
}

TEST_CASE("a write error stops the recording, not the program") {
  TempDir dir;
  test::TestProgram program(OneSecondKeyframes());
  test::RtpCounter video(*program, program->video_tee());
  test::RtpCounter audio(*program, program->audio_tee());
  REQUIRE(program.Start());
  RecordingListener listener;

  SECTION("disk full") {
    // Every write to /dev/full fails with ENOSPC, even for root.
    fs::create_symlink("/dev/full", dir.path() + "/run0001-seg00000.ts");
  }
  SECTION("segment cannot be created") {
    fs::create_directory(dir.path() + "/run0001-seg00000.ts");
  }
  auto recorder = Recorder::Start(*program, ShortSegments(dir.path(), 1), listener);
  REQUIRE(recorder.ok());
  REQUIRE(test::RunLoopUntil([&] { return !listener.failures.empty(); }, std::chrono::seconds(10)));
  recorder->reset();
  const int video_then = video.packets();
  const int audio_then = audio.packets();
  // The program flows on after the recording failed.
  CHECK(test::RunLoopUntil(
      [&] { return video.packets() > video_then + 10 && audio.packets() > audio_then + 10; },
      std::chrono::seconds(5)));
  CHECK(program.listener.errors.empty());
  CHECK(listener.failures.size() == 1);
}

TEST_CASE("a missing archive directory is refused at start") {
  test::TestProgram program;
  RecordingListener listener;
  auto recorder = Recorder::Start(*program, ShortSegments("/proc/version/archive", 1), listener);
  REQUIRE_FALSE(recorder.ok());
  CHECK(recorder.error().code == "archive_unwritable");
}

TEST_CASE("segment names are strict") {
  CHECK(SegmentName{2, 17}.ToString() == "run0002-seg00017.ts");
  auto parsed = SegmentName::Parse("run0002-seg00017.ts");
  REQUIRE(parsed);
  CHECK(parsed->run == 2);
  CHECK(parsed->seq == 17);
  for (const char* bad : {"", "run0002-seg00017.ts/", "../run0002-seg00017.ts", "run002-seg00017.ts",
                          "run0002-seg0001a.ts", "run0002_seg00017.ts", "run0002-seg00017.mp4",
                          "run0002-seg00017.tss", "run+002-seg00017.ts", "RUN0002-seg00017.ts"}) {
    CHECK_FALSE(SegmentName::Parse(bad));
  }
}

}  // namespace bridgecast::media
