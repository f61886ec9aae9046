// The archive end to end: a live conference of 67 points is recorded, the node
// is SIGKILLed mid-segment and restarted, and the archive still verifies,
// plays as HLS, exports to MP4 with chapters and has its minutes.
#include <gst/gst.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "media/media_probe.hpp"
#include "media/mp4_chapters.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::vector<std::string> kCheapProgram = {"--video-size", "320x180", "--video-kbps", "200"};

// The "... N s playable" figure of `archive verify`.
double Playable(const std::string& out) {
  std::smatch m;
  const std::regex figure(R"(([0-9.]+) s playable)");
  return std::regex_search(out, m, figure) ? std::stod(m[1]) : 0.0;
}

}  // namespace

TEST_CASE("a conference recorded through a SIGKILL verifies, plays, exports and has minutes") {
  gst_init(nullptr, nullptr);
  auto node = std::make_unique<TestNode>(kCheapProgram);
  REQUIRE(node->listening());
  const std::string conference = node->links()["conference"]["id"];
  const std::string chair_token = IssueToken(*node, "chair");
  const std::string reviewer_token = IssueToken(*node, "reviewer");
  REQUIRE_FALSE(chair_token.empty());
  REQUIRE_FALSE(reviewer_token.empty());
  std::string operator_token = ReadFile(node->state_dir() + "/operator-token");
  operator_token.erase(operator_token.find_last_not_of('\n') + 1);
  const std::string archive_dir = node->state_dir() + "/archive/" + conference;

  std::chrono::steady_clock::time_point recording_started;
  {
    ClientLoop loop;
    REQUIRE(loop.context);
    ConferenceClient chair(*loop.context, Options(*node));
    chair.Join(chair_token);
    REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
    REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
    recording_started = std::chrono::steady_clock::now();
    REQUIRE(IsAck(chair.Call({{"type", "agenda.start"}})));
    RunLoopFor(seconds(5));
    REQUIRE(IsAck(chair.Call({{"type", "agenda.next"}})));
    RunLoopFor(seconds(5));
    REQUIRE(IsAck(chair.Call({{"type", "agenda.next"}})));

    const HttpsResponse status = HttpsGet(node->port(), "/api/recording", operator_token);
    REQUIRE(status.status == 200);
    const json recording = json::parse(status.body);
    CHECK(recording["state"] == "recording");
    CHECK(recording["session"] == conference);
    CHECK(recording["run"] == 1);

    RunLoopFor(milliseconds(15000) - std::chrono::duration_cast<milliseconds>(
                                         std::chrono::steady_clock::now() - recording_started));
    node->Kill();
  }
  const double killed_at_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - recording_started).count();

  // What the crash left: run 1's files, the last one cut.
  double run1_s = 0;
  for (const auto& entry : std::filesystem::directory_iterator(archive_dir)) {
    auto info = media::ProbeMedia(entry.path().string());
    REQUIRE(info.ok());
    run1_s += info->duration.count() / 1000.0;
  }
  WARN("recording ran " << killed_at_s << " s before the kill; " << run1_s << " s are on disk");
  CHECK(run1_s >= killed_at_s - 3.0);

  const auto root = node->root();
  node = std::make_unique<TestNode>(root, kCheapProgram);
  INFO(node->log());
  REQUIRE(node->listening());
  // The journal still says live: recording goes on as run 2 of the same session.
  RunLoopFor(seconds(5));
  const json recording =
      json::parse(HttpsGet(node->port(), "/api/recording", operator_token).body);
  CHECK(recording["state"] == "recording");
  CHECK(recording["run"] == 2);

  const HttpsResponse sessions = HttpsGet(node->port(), "/api/archive/sessions", reviewer_token);
  REQUIRE(sessions.status == 200);
  const json list = json::parse(sessions.body)["sessions"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == conference);
  CHECK(list[0]["runs"] == 2);
  CHECK(list[0]["recording"] == true);

  const HttpsResponse playlist =
      HttpsGet(node->port(), "/api/archive/" + conference + "/index.m3u8?token=" + reviewer_token);
  REQUIRE(playlist.status == 200);
  CHECK(playlist.body.find("#EXT-X-DISCONTINUITY") != std::string::npos);
  std::smatch first;
  REQUIRE(std::regex_search(playlist.body, first, std::regex(R"((run0001-seg00000\.ts\?token=\S+))")));
  const HttpsResponse segment =
      HttpsGet(node->port(), "/api/archive/" + conference + "/" + first[1].str());
  CHECK(segment.status == 200);
  CHECK(segment.content_type == "video/mp2t");
  CHECK(segment.body.size() > 10000);

  // Chapters: the items started at ~0 s, ~5 s (agenda.next) and ~10 s (agenda.next).
  const HttpsResponse timeline_response =
      HttpsGet(node->port(), "/api/archive/" + conference + "/timeline.json", reviewer_token);
  REQUIRE(timeline_response.status == 200);
  const json timeline = json::parse(timeline_response.body);
  INFO(timeline.dump());
  const json& chapters = timeline["chapters"];
  REQUIRE(chapters.size() >= 3);
  std::vector<std::string> items;
  for (const json& c : chapters) {
    if (items.empty() || items.back() != c["item"]) items.push_back(c["item"]);
  }
  REQUIRE(items.size() == 3);
  auto first_start = [&](const std::string& item) {
    for (const json& c : chapters) {
      if (c["item"] == item) return c["start_ms"].get<double>() / 1000.0;
    }
    return -1.0;
  };
  CHECK(first_start(items[0]) < 1.5);
  CHECK(std::abs(first_start(items[1]) - 5.0) < 1.5);
  CHECK(std::abs(first_start(items[2]) - 10.0) < 1.5);
  CHECK(timeline["duration_ms"].get<double>() >= 13000);

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

  REQUIRE(node->Stop() == 0);

  const CommandRun verify = RunArchive(node->state_dir(), {"verify", conference});
  INFO(verify.out);
  CHECK(verify.exit_status == 0);
  CHECK(Playable(verify.out) >= 13.0);
  // The clean stop closed its last segment; only the crash cut one.
  CHECK(verify.out.find("being written") == std::string::npos);
  CHECK(verify.out.find("open\t") == std::string::npos);
  WARN("archive verify: " << Playable(verify.out) << " s playable");

  const std::string mp4 = root->path() + "/export.mp4";
  const CommandRun exported = RunArchive(node->state_dir(), {"export", conference, "--out", mp4});
  INFO(exported.out);
  REQUIRE(exported.exit_status == 0);
  auto info = media::ProbeMedia(mp4);
  REQUIRE(info.ok());
  CHECK(info->video_codec == "video/x-h264");
  CHECK(info->audio_codec == "audio/mpeg");
  CHECK(info->duration.count() >= 13000);
  WARN("export: " << info->duration.count() << " ms");
  auto marks = media::ReadMp4Chapters(mp4);
  REQUIRE(marks.ok());
  REQUIRE(marks->size() == chapters.size());
  CHECK((*marks)[1].title == chapters[1]["title"]);
  CHECK((*marks)[1].start.count() == chapters[1]["start_ms"]);

  const CommandRun listed = RunArchive(node->state_dir(), {"list"});
  CHECK(listed.exit_status == 0);
  CHECK(listed.out.find(conference) != std::string::npos);
}

TEST_CASE("an unwritable archive stops the recording, not the broadcast, and staff are told") {
  auto root = std::make_shared<TempDir>();
  // The archive directory cannot be created: its place is taken by a file
  // (this holds for root too, unlike permissions).
  std::filesystem::create_directories(root->path() + "/state");
  std::ofstream(root->path() + "/state/archive") << "not a directory";
  auto node = std::make_unique<TestNode>(root, kCheapProgram);
  INFO(node->log());
  REQUIRE(node->listening());
  const std::string chair_token = IssueToken(*node, "chair");
  std::string operator_token = ReadFile(node->state_dir() + "/operator-token");
  operator_token.erase(operator_token.find_last_not_of('\n') + 1);

  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(*node));
  chair.Join(chair_token);
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  // A point watches the program throughout.
  const auto report = root->path() + "/points.json";
  auto points = StartPoints(*node, {"--count", "1", "--duration", "8"}, report,
                            root->path() + "/points.log");
  RunLoopFor(seconds(2));
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  REQUIRE(RunLoopUntil(
      [&] {
        return chair.HasEvent([](const json& e) {
          return e["type"] == "recording.stopped" && e["reason"] == "failed";
        });
      },
      seconds(10)));
  const json status = json::parse(HttpsGet(node->port(), "/api/recording", operator_token).body);
  CHECK(status["state"] == "failed");
  CHECK_FALSE(status["last_error"].get<std::string>().empty());
  CHECK(node->log().find("recording failed") != std::string::npos);

  // The broadcast went on: the point kept receiving until its end.
  REQUIRE(points->Wait(seconds(30)));
  const json received = json::parse(ReadFile(report));
  INFO(received.dump());
  // 8 s at 30 fps, the recording failing ~2 s in: frames went on after it.
  CHECK(received["points"][0]["connected"] == true);
  CHECK(received["points"][0]["frames_received"].get<int>() > 150);
  CHECK(node->process().running());
}

}  // namespace bridgecast::test
