// The archive end to end, judged by ffmpeg: a live conference with points
// watching is recorded, the node is SIGKILLed three times at different places
// in the GOP and restarted, and each time at most 0.5 s is lost; every
// segment decodes alone, cleanly, from a keyframe; the export holds one
// picture per captured frame; chapters land on the pictures captured when the
// agenda changed; the archive plays as HLS and has its minutes.
#include <gst/gst.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "test_node.hpp"
#include "tests/support/media_judge.hpp"

namespace bridgecast::test {
namespace {

// The capture stamp is what the loss and the chapters are measured by.
const std::vector<std::string> kStampedProgram = {"--video-size", "320x180", "--video-kbps", "200",
                                                  "--capture-stamp"};

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kFps = 30;

// The "... N s playable" figure of `archive verify`.
double Playable(const std::string& out) {
  std::smatch m;
  const std::regex figure(R"(([0-9.]+) s playable)");
  return std::regex_search(out, m, figure) ? std::stod(m[1]) : 0.0;
}

milliseconds WallNow() {
  return std::chrono::duration_cast<milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
}

// The newest segment file of `run`.
std::string LastSegmentOf(const std::string& dir, unsigned run) {
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "run%04u-", run);
  std::string last;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name > last) last = name;
  }
  return last.empty() ? "" : dir + "/" + last;
}

// Waits until the restarted node records again; returns when its first
// segment opened, by the wall clock of its /api/recording.
bool WaitRecording(const TestNode& node, unsigned run) {
  const std::string token = OperatorToken(node);
  return RunLoopUntil(
      [&] {
        const json status =
            json::parse(HttpsGet(node.port(), "/api/recording", token).body, nullptr, false);
        return status.is_object() && status["state"] == "recording" && status["run"] == run &&
               status["segment"].is_object();
      },
      seconds(15));
}

struct CrashLoss {
  double lost_ms = 0;    // kill time minus the capture time of the last recorded picture
  double gop_offset_s = 0;  // how far into its GOP the last recorded picture was
};

// SIGKILLs `node` now and measures, with ffmpeg, what the crash cost `run`.
CrashLoss KillAndMeasure(TestNode& node, const std::string& dir, unsigned run) {
  const milliseconds killed_at = WallNow();
  node.Kill();
  const std::string last = LastSegmentOf(dir, run);
  REQUIRE_FALSE(last.empty());
  auto stamps = ReadStamps(last, 320, 180);
  REQUIRE(stamps.ok());
  REQUIRE(stamps->Readable() > 0);
  auto video = JudgeVideo(last);
  REQUIRE(video.ok());
  REQUIRE_FALSE(video->pictures.empty());
  double keyframe_pts = video->pictures.front().pts_s;
  for (const DecodedPicture& p : video->pictures) {
    if (p.key) keyframe_pts = p.pts_s;
  }
  return {static_cast<double>((killed_at - stamps->Last()).count()),
          video->pictures.back().pts_s - keyframe_pts};
}

}  // namespace

TEST_CASE("a conference recorded through three SIGKILLs loses at most 0.5 s each and decodes whole") {
  gst_init(nullptr, nullptr);
  auto node = std::make_unique<TestNode>(kStampedProgram);
  REQUIRE(node->listening());
  const std::string conference = node->links()["conference"]["id"];
  const std::string chair_token = IssueToken(*node, "chair");
  const std::string reviewer_token = IssueToken(*node, "reviewer");
  REQUIRE_FALSE(chair_token.empty());
  REQUIRE_FALSE(reviewer_token.empty());
  const std::string operator_token = OperatorToken(*node);
  const std::string archive_dir = node->state_dir() + "/archive/" + conference;
  const auto root = node->root();

  std::vector<CrashLoss> losses;
  std::map<std::string, double> item_started_at;  // agenda item → event `at` (ms)
  {
    ClientLoop loop;
    REQUIRE(loop.context);
    ConferenceClient chair(*loop.context, Options(*node));
    chair.Join(chair_token);
    REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
    // Two points watch while it is recorded.
    auto points = StartPoints(*node, {"--count", "2", "--duration", "7"},
                              root->path() + "/points.json", root->path() + "/points.log");
    REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
    REQUIRE(WaitRecording(*node, 1));
    const auto recording_started = std::chrono::steady_clock::now();
    REQUIRE(IsAck(chair.Call({{"type", "agenda.start"}})));
    RunLoopFor(seconds(3));
    REQUIRE(IsAck(chair.Call({{"type", "agenda.next"}})));
    RunLoopFor(seconds(3));
    REQUIRE(IsAck(chair.Call({{"type", "agenda.next"}})));
    for (const json& e : chair.Events()) {
      if (e["type"] == "agenda.item_started") item_started_at[e["item"]] = e["at"].get<double>();
    }
    REQUIRE(item_started_at.size() == 3);
    REQUIRE(points->Wait(seconds(20)));
    const json watched = json::parse(ReadFile(root->path() + "/points.json"));
    INFO(watched.dump());
    for (const json& p : watched["points"]) CHECK(p["frames_received"].get<int>() > 5 * kFps);
    RunLoopFor(milliseconds(8300) - std::chrono::duration_cast<milliseconds>(
                                        std::chrono::steady_clock::now() - recording_started));
    losses.push_back(KillAndMeasure(*node, archive_dir, 1));
  }
  // Runs 2 and 3 are killed at other places in their GOPs (2 s apart).
  for (const auto& [run, after] : {std::pair{2u, milliseconds(5100)}, {3u, milliseconds(5900)}}) {
    node = std::make_unique<TestNode>(root, kStampedProgram);
    REQUIRE(node->listening());
    REQUIRE(WaitRecording(*node, run));
    RunLoopFor(after);
    losses.push_back(KillAndMeasure(*node, archive_dir, run));
  }
  double latest_in_gop = 0;
  for (size_t i = 0; i < losses.size(); ++i) {
    WARN("run " << i + 1 << ": killed " << losses[i].gop_offset_s << " s into the GOP, "
                << losses[i].lost_ms << " ms lost");
    CHECK(losses[i].lost_ms <= 500);
    CHECK(losses[i].lost_ms > 0);
    latest_in_gop = std::max(latest_in_gop, losses[i].gop_offset_s);
  }
  // At least one kill came late in a GOP, where holding the GOP back would lose most.
  CHECK(latest_in_gop >= 0.8);

  node = std::make_unique<TestNode>(root, kStampedProgram);
  INFO(node->log());
  REQUIRE(node->listening());
  REQUIRE(WaitRecording(*node, 4));

  const HttpsResponse sessions = HttpsGet(node->port(), "/api/archive/sessions", reviewer_token);
  REQUIRE(sessions.status == 200);
  const json list = json::parse(sessions.body)["sessions"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == conference);
  CHECK(list[0]["runs"] == 4);
  CHECK(list[0]["recording"] == true);

  // Every /api/ route refuses the staff of another conference.
  std::string other_file = root->path() + "/other.json";
  {
    json other = json::parse(ReadFile(std::string(BRIDGECAST_SOURCE_DIR) +
                                      "/deploy/conferences/conference-2023-11-16.json"));
    other["id"] = "hoi-nghi-khac";
    std::ofstream(other_file) << other.dump();
  }
  const std::string foreign_chair = IssueTokenFor(*node, other_file, "chair");
  REQUIRE_FALSE(foreign_chair.empty());
  for (const std::string& path : std::vector<std::string>{
           "/api/points", "/api/attendance.json", "/api/attendance.csv", "/api/recording",
           "/api/join-links",
        "/api/archive/" + conference + "/index.m3u8", "/api/archive/" + conference + "/timeline.json",
        "/api/archive/" + conference + "/minutes.json", "/api/archive/" + conference + "/minutes.html",
        "/api/archive/" + conference + "/run0001-seg00000.ts"}) {
    INFO(path);
    const HttpsResponse refused = HttpsGet(node->port(), path, foreign_chair);
    CHECK(refused.status == 403);
    CHECK(json::parse(refused.body, nullptr, false).value("code", "") == "forbidden");
  }
  CHECK(json::parse(HttpsGet(node->port(), "/api/archive/sessions", foreign_chair).body)["sessions"]
            .empty());

  const HttpsResponse playlist =
      HttpsGet(node->port(), "/api/archive/" + conference + "/index.m3u8?token=" + reviewer_token);
  REQUIRE(playlist.status == 200);
  CHECK(playlist.body.find("#EXT-X-DISCONTINUITY") != std::string::npos);
  const HttpsResponse segment = HttpsGet(
      node->port(), "/api/archive/" + conference + "/run0001-seg00000.ts?token=" + reviewer_token);
  CHECK(segment.status == 200);
  CHECK(segment.content_type == "video/mp2t");
  CHECK(segment.body.size() > 10000);

  const HttpsResponse timeline_response =
      HttpsGet(node->port(), "/api/archive/" + conference + "/timeline.json", reviewer_token);
  REQUIRE(timeline_response.status == 200);
  const json timeline = json::parse(timeline_response.body);
  INFO(timeline.dump());
  const json& chapters = timeline["chapters"];
  REQUIRE(chapters.size() >= 3);

  const HttpsResponse minutes_response =
      HttpsGet(node->port(), "/api/archive/" + conference + "/minutes.json", reviewer_token);
  REQUIRE(minutes_response.status == 200);
  const json minutes = json::parse(minutes_response.body);
  CHECK(minutes["attendance"]["points"].size() == 67);
  CHECK(minutes["agenda"][1]["recording"].size() >= 1);
  const HttpsResponse html =
      HttpsGet(node->port(), "/api/archive/" + conference + "/minutes.html?token=" + reviewer_token);
  CHECK(html.status == 200);
  CHECK(html.content_type.find("text/html") == 0);
  CHECK(html.body.find(minutes["title"].get<std::string>()) != std::string::npos);

  RunLoopFor(seconds(2));
  REQUIRE(node->Stop() == 0);

  const CommandRun verify = RunArchive(node->state_dir(), {"verify", conference});
  INFO(verify.out);
  CHECK(verify.exit_status == 0);
  // The clean stop closed its last segment; each crash cut one, recovered.
  CHECK(verify.out.find("being written") == std::string::npos);
  CHECK(verify.out.find("open\t") == std::string::npos);
  const double playable = Playable(verify.out);
  WARN("archive verify: " << playable << " s playable");

  // Each segment decodes alone, as a player seeking to it would: from an
  // IDR, without an error, one picture per frame of its span.
  size_t segment_pictures = 0;
  double segment_seconds = 0;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(archive_dir)) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 6);
  for (const std::string& file : files) {
    auto video = JudgeVideo(file);
    REQUIRE(video.ok());
    INFO(file << ": " << video->pictures.size() << " pictures over " << video->Span()
              << " s; errors: " << video->errors);
    CHECK(video->errors.empty());
    CHECK(video->StartsWithKeyframe());
    CHECK(video->StrictlyIncreasing());
    const double expected = video->Span() * kFps + 1;
    CHECK(std::abs(static_cast<double>(video->pictures.size()) - expected) <=
          std::max(1.0, 0.01 * expected));
    segment_pictures += video->pictures.size();
    segment_seconds += video->Span() + 1.0 / kFps;
  }
  CHECK(std::abs(segment_seconds - playable) < 1.0);

  const std::string mp4 = root->path() + "/export.mp4";
  const CommandRun exported = RunArchive(node->state_dir(), {"export", conference, "--out", mp4});
  INFO(exported.out);
  REQUIRE(exported.exit_status == 0);
  auto video = JudgeVideo(mp4);
  REQUIRE(video.ok());
  INFO("export: " << video->pictures.size() << " pictures, segments " << segment_pictures
                  << " over " << segment_seconds << " s; errors: " << video->errors);
  CHECK(video->errors.empty());
  CHECK(video->StartsWithKeyframe());
  CHECK(video->StrictlyIncreasing());
  // Every recorded picture, once.
  CHECK(video->pictures.size() == segment_pictures);
  CHECK(std::abs(static_cast<double>(video->pictures.size()) - segment_seconds * kFps) <=
        0.01 * segment_seconds * kFps);
  auto audio = JudgeAudio(mp4);
  REQUIRE(audio.ok());
  CHECK(audio->errors.empty());
  CHECK(std::abs(audio->first_pts_s - video->pictures.front().pts_s) < 0.1);
  CHECK(std::abs(audio->end_s - (video->pictures.back().pts_s + 1.0 / kFps)) < 0.3);
  auto stamps = ReadStamps(mp4, 320, 180);
  REQUIRE(stamps.ok());
  REQUIRE(stamps->stamps.size() == video->pictures.size());
  // Each of the four starts shows the slate (no stamp) until the test
  // pattern's first picture is on air: a few frames, never more than 0.3 s.
  CHECK(stamps->stamps.size() - stamps->Readable() <= static_cast<size_t>(4 * 0.3 * kFps));

  // Chapters as ffmpeg reads them, each on the picture captured when its
  // agenda item started.
  const auto marks = ProbeChapters(mp4);
  REQUIRE(marks.ok());
  REQUIRE(marks->size() == chapters.size());
  const double first_pts = video->pictures.front().pts_s;
  for (size_t i = 0; i < marks->size(); ++i) {
    INFO("chapter " << i);
    CHECK((*marks)[i].title == chapters[i]["title"]);
    CHECK(std::abs((*marks)[i].start_s - chapters[i]["start_ms"].get<double>() / 1000.0) < 0.002);
    const std::string item = chapters[i]["item"];
    if (i >= 3 || !item_started_at.count(item)) continue;
    size_t nearest = 0;
    for (size_t k = 0; k < video->pictures.size(); ++k) {
      if (std::abs(video->pictures[k].pts_s - first_pts - (*marks)[i].start_s) <
          std::abs(video->pictures[nearest].pts_s - first_pts - (*marks)[i].start_s)) {
        nearest = k;
      }
    }
    REQUIRE(stamps->stamps[nearest]);
    const double captured = static_cast<double>(stamps->stamps[nearest]->count());
    INFO(item << ": picture captured " << captured - item_started_at[item]
              << " ms after the item started");
    CHECK(std::abs(captured - item_started_at[item]) <= 50);
  }

  const CommandRun listed = RunArchive(node->state_dir(), {"list"});
  CHECK(listed.exit_status == 0);
  CHECK(listed.out.find(conference) != std::string::npos);

  // A segment that no longer decodes makes verify fail, naming it.
  std::ofstream(archive_dir + "/run0002-seg00000.ts", std::ios::trunc) << std::string(4096, 'x');
  const CommandRun damaged = RunArchive(node->state_dir(), {"verify", conference});
  INFO(damaged.out);
  CHECK(damaged.exit_status == 1);
  CHECK(damaged.out.find("FAIL\trun0002-seg00000.ts") != std::string::npos);
}
TEST_CASE("an archive that cannot be written stops the recording, not the broadcast, and staff are told") {
  auto root = std::make_shared<TempDir>();
  const std::string state = root->path() + "/state";
  const std::string session = "2023-11-16-quan-triet-to-chuc-xd-dang";
  std::filesystem::create_directories(state);
  bool mid_conference = false;
  SECTION("the archive directory cannot be created") {
    // Its place is taken by a file (this holds for root too, unlike permissions).
    std::ofstream(state + "/archive") << "not a directory";
  }
  SECTION("the disk fills mid-conference") {
    // The second segment's writes fail with ENOSPC, even for root.
    std::filesystem::create_directories(state + "/archive/" + session);
    std::filesystem::create_symlink("/dev/full", state + "/archive/" + session + "/run0001-seg00001.ts");
    mid_conference = true;
  }
  auto node = std::make_unique<TestNode>(root, kCheapProgram);
  INFO(node->log());
  REQUIRE(node->listening());
  REQUIRE(node->links()["conference"]["id"] == session);
  const std::string chair_token = IssueToken(*node, "chair");
  const std::string operator_token = OperatorToken(*node);

  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(*node));
  chair.Join(chair_token);
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  // A point watches the program throughout.
  const auto report = root->path() + "/points.json";
  auto points = StartPoints(*node, {"--count", "1", "--duration", "9"}, report,
                            root->path() + "/points.log");
  REQUIRE(RunLoopUntil(
      [&] { return chair.HasEvent([](const json& e) { return e["type"] == "point.joined"; }); },
      seconds(10)));
  const json ack = chair.Call({{"type", "conference.start"}});
  REQUIRE(IsAck(ack));
  REQUIRE(RunLoopUntil(
      [&] {
        return chair.HasEvent([](const json& e) {
          return e["type"] == "recording.stopped" && e["reason"] == "failed";
        });
      },
      seconds(15)));
  // The ack names the command's own last event (recording.started), not the
  // failure the node journaled on its own.
  std::uint64_t started_seq = 0;
  std::uint64_t failed_seq = 0;
  for (const json& e : chair.Events()) {
    if (e["type"] == "recording.started") started_seq = e["seq"];
    if (e["type"] == "recording.stopped") failed_seq = e["seq"];
  }
  CHECK(ack["seq"] == started_seq);
  CHECK(failed_seq > started_seq);
  const json status = json::parse(HttpsGet(node->port(), "/api/recording", operator_token).body);
  CHECK(status["state"] == "failed");
  CHECK_FALSE(status["last_error"].get<std::string>().empty());
  CHECK(node->log().find("recording failed") != std::string::npos);
  if (mid_conference) {
    // What was recorded before the disk filled stays: the first segment.
    const CommandRun verify = RunArchive(state, {"verify", session});
    INFO(verify.out);
    CHECK(verify.out.find("run0001-seg00000.ts") != std::string::npos);
  }

  // The broadcast went on: the point kept receiving until its end.
  REQUIRE(points->Wait(seconds(30)));
  const json received = json::parse(ReadFile(report));
  INFO(received.dump());
  CHECK(received["points"][0]["connected"] == true);
  CHECK(received["points"][0]["frames_received"].get<int>() > 7 * kFps);
  CHECK(node->process().running());
}

}  // namespace bridgecast::test
