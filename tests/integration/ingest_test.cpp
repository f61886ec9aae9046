// Program ingest end to end: the real node takes its program from an SRT
// feed, an RTSP camera, a media file (tests/integration/media_feeder) and a
// WHIP publisher in this process (tests/ingest/whip_publisher.hpp), a
// real point receives it and records what it got (`bridgecast point
// --record`), and ffmpeg judges the recording: its colour, its tone, its
// pictures' continuity.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "client_loop.hpp"
#include "conference_client.hpp"
#include "https_get.hpp"
#include "media_feeder.hpp"
#include "test_node.hpp"
#include "tests/ingest/whip_publisher.hpp"
#include "tests/support/media_judge.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kProgram = {"--video-size", "640x360", "--video-kbps", "600",
                                           "--fps", "25"};

// A node whose config declares `sources`, `on_air` first.
TestNode NodeWithSources(const std::shared_ptr<TempDir>& root, const json& sources,
                         const std::string& on_air) {
  const std::string config = root->path() + "/config.json";
  std::ofstream(config) << json{{"ingest", {{"sources", sources}, {"on_air", on_air}}}}.dump();
  std::vector<std::string> args = kProgram;
  args.insert(args.end(), {"--config", config});
  return TestNode(root, args);
}

json ProgramStatus(const TestNode& node) {
  const HttpsResponse r = HttpsGet(node.port(), "/api/program", OperatorToken(node));
  const json doc = json::parse(r.body, nullptr, false);
  return r.status == 200 && !doc.is_discarded() ? doc : json::object();
}

json Source(const json& status, const std::string& id) {
  for (const json& s : status.value("sources", json::array())) {
    if (s["id"] == id) return s;
  }
  return json::object();
}

// Polls /api/program every 50 ms until `done`; how long it took, or nothing.
std::optional<milliseconds> WaitForProgram(const TestNode& node,
                                           const std::function<bool(const json&)>& done,
                                           milliseconds limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (done(ProgramStatus(node))) {
      return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return std::nullopt;
}

bool OnAir(const json& status, const std::string& id) {
  return status.contains("on_air") && status["on_air"] == id;
}

bool Red(const MeanRgb& c) { return c.r > 180 && c.g < 70 && c.b < 70; }
bool Blue(const MeanRgb& c) { return c.b > 180 && c.r < 70 && c.g < 70; }
bool Green(const MeanRgb& c) { return c.g > 120 && c.r < 70 && c.b < 70; }
// The drawn slate: dark blue with white text.
bool Slate(const MeanRgb& c) { return c.b > c.r + 20 && c.r < 120 && c.g < 140; }

// Largest step between consecutive pictures of a recording, in seconds.
double LargestGap(const VideoVerdict& video) {
  double gap = 0;
  for (size_t i = 1; i < video.pictures.size(); ++i) {
    gap = std::max(gap, video.pictures[i].pts_s - video.pictures[i - 1].pts_s);
  }
  return gap;
}

}  // namespace

TEST_CASE("an SRT feed is the program, the slate covers its loss within 1 s, and it comes back") {
  auto root = std::make_shared<TempDir>();
  const int port = FreeUdpPort();
  TestNode node = NodeWithSources(
      root,
      json::array({{{"id", "hall"},
                    {"label", "Hội trường"},
                    {"kind", "srt"},
                    {"uri", "srt://127.0.0.1:" + std::to_string(port) + "?mode=listener"}}}),
      "hall");
  REQUIRE(node.listening());
  // Larger and faster than the program: scaled and thinned, never passed on.
  FeedSpec spec;
  spec.pattern = "red";
  spec.tone_hz = 440;
  spec.width = 1280;
  spec.height = 720;
  spec.fps = 50;
  SrtFeeder feeder(SrtMode::kCaller, port, spec, root->path() + "/feeder.log");
  REQUIRE(feeder.Start());
  const auto live = WaitForProgram(node, [](const json& s) { return OnAir(s, "hall"); }, seconds(15));
  INFO(feeder.Log() << node.log());
  REQUIRE(live);
  CHECK(Source(ProgramStatus(node), "hall")["input"] == "1280x720 50 fps H.264, AAC");

  const std::string recording = root->path() + "/point.ts";
  const std::string point = node.links()["points"][0]["point"];
  auto receiver = StartPoints(node, {"--point", point, "--duration", "22", "--record", recording},
                              root->path() + "/point.json", root->path() + "/point.log");
  std::this_thread::sleep_for(seconds(6));

  // The feed dies (SIGKILL: no goodbye, as a cut cable).
  feeder.Kill();
  const auto slate = WaitForProgram(node, [](const json& s) { return s.value("slate", false); },
                                    seconds(3));
  REQUIRE(slate);
  WARN("slate on air " << slate->count() << " ms after the feed was killed");
  CHECK(*slate <= milliseconds(1000));
  CHECK(Source(ProgramStatus(node), "hall")["state"] != "live");
  std::this_thread::sleep_for(seconds(3));

  REQUIRE(feeder.Restart());
  const auto back = WaitForProgram(node, [](const json& s) { return OnAir(s, "hall"); }, seconds(10));
  REQUIRE(back);
  WARN("back on air " << back->count() << " ms after the feed was restarted");

  const auto status = receiver->Wait(seconds(40));
  REQUIRE(status.has_value());
  const json report = json::parse(ReadFile(root->path() + "/point.json"));
  INFO(report.dump() << ReadFile(root->path() + "/point.log"));
  const json& r = report["points"][0];
  // The point never noticed: one connection throughout, the program's size.
  CHECK(r["connected"] == true);
  CHECK(r["attempts"] == 1);
  CHECK(r["width"] == 640);
  CHECK(r["height"] == 360);

  // What the point received, judged by ffmpeg.
  auto video = JudgeVideo(recording);
  REQUIRE(video.ok());
  INFO("recorded " << video->pictures.size() << " pictures; errors: " << video->errors);
  CHECK(video->errors.empty());
  CHECK(video->StrictlyIncreasing());
  REQUIRE(video->pictures.size() > 300);
  // No frame gap through the failure and the return (25 fps: 40 ms apart).
  CHECK(LargestGap(*video) < 0.1);
  const double t0 = video->pictures.front().pts_s;
  const double end = video->pictures.back().pts_s - t0;
  auto first = MeanColour(recording, {1.0, 3.0});
  REQUIRE(first.ok());
  CHECK(Red(*first));
  auto tone = DominantToneHz(recording, {1.0, 3.0});
  REQUIRE(tone.ok());
  CHECK(tone->HasTone());
  CHECK(std::abs(tone->hz - 440) < 440 * 0.03);
  // Slate somewhere after the kill (6 s in), red again at the end.
  bool saw_slate = false;
  for (double at = 6.5; at < end - 4 && !saw_slate; at += 0.5) {
    auto c = MeanColour(recording, {at, 0.4});
    saw_slate = c.ok() && Slate(*c);
  }
  CHECK(saw_slate);
  auto last = MeanColour(recording, {end - 2.0, 1.5});
  REQUIRE(last.ok());
  CHECK(Red(*last));
}

TEST_CASE("a feed in the program's format passes through, and the slate and back stay seamless") {
  auto root = std::make_shared<TempDir>();
  const int port = FreeUdpPort();
  TestNode node = NodeWithSources(
      root,
      json::array({{{"id", "hall"},
                    {"kind", "srt"},
                    {"uri", "srt://127.0.0.1:" + std::to_string(port) + "?mode=listener"}}}),
      "hall");
  REQUIRE(node.listening());
  // Exactly the program's format: 640x360, 25 fps, constrained baseline.
  FeedSpec spec;
  spec.pattern = "green";
  spec.tone_hz = 700;
  spec.h264_profile = "constrained-baseline";
  SrtFeeder feeder(SrtMode::kCaller, port, spec, root->path() + "/feeder.log");
  REQUIRE(feeder.Start());
  json status;
  const auto passing = WaitForProgram(
      node,
      [&](const json& s) {
        status = s;
        return Source(s, "hall")["encoding"] == "passthrough";
      },
      seconds(15));
  INFO(status.dump() << feeder.Log() << node.log());
  REQUIRE(passing);
  CHECK(node.log().find("source hall passes through, not re-encoded") != std::string::npos);

  const std::string recording = root->path() + "/point.ts";
  const std::string point = node.links()["points"][4]["point"];
  auto receiver = StartPoints(node, {"--point", point, "--duration", "16", "--record", recording},
                              root->path() + "/point.json", root->path() + "/point.log");
  std::this_thread::sleep_for(seconds(5));
  feeder.Kill();
  // The node's encoder takes over with the slate, from a keyframe.
  const auto slate = WaitForProgram(
      node, [](const json& s) { return s.value("slate", false) && Source(s, "hall")["encoding"] == "reencode"; },
      seconds(3));
  REQUIRE(slate);
  WARN("slate on air, encoded by the node, " << slate->count() << " ms after the feed was killed");
  CHECK(*slate <= milliseconds(1000));
  std::this_thread::sleep_for(seconds(2));
  REQUIRE(feeder.Restart());
  CHECK(WaitForProgram(node, [](const json& s) { return Source(s, "hall")["encoding"] == "passthrough"; },
                       seconds(10)));
  REQUIRE(receiver->Wait(seconds(40)).has_value());

  const json report = json::parse(ReadFile(root->path() + "/point.json"));
  INFO(report.dump() << ReadFile(root->path() + "/point.log"));
  CHECK(report["points"][0]["attempts"] == 1);
  CHECK(report["points"][0]["width"] == 640);
  auto video = JudgeVideo(recording);
  REQUIRE(video.ok());
  INFO(video->pictures.size() << " pictures; errors: " << video->errors);
  // Both ways between the source's pictures and the node's: no error, no gap.
  // A passed-through picture keeps its source's timing: one that reached the
  // node over 80 ms late moves the source's clock map (SourceClockMap), a
  // step the points see (up to ~130 ms seen on a loaded machine; 40 ms idle).
  CHECK(video->errors.empty());
  CHECK(video->StrictlyIncreasing());
  CHECK(LargestGap(*video) < 0.16);
  auto first = MeanColour(recording, {1.0, 2.0});
  REQUIRE(first.ok());
  CHECK(Green(*first));
  bool saw_slate = false;
  for (double at = 5.5; at < 10 && !saw_slate; at += 0.5) {
    auto c = MeanColour(recording, {at, 0.4});
    saw_slate = c.ok() && Slate(*c);
  }
  CHECK(saw_slate);
  const double end = video->pictures.back().pts_s - video->pictures.front().pts_s;
  auto last = MeanColour(recording, {end - 1.5, 1.0});
  REQUIRE(last.ok());
  CHECK(Green(*last));
}

TEST_CASE("an RTSP camera and a looping file play, and an operator switch lands within 1 s") {
  auto root = std::make_shared<TempDir>();
  FeedSpec camera_spec;
  camera_spec.pattern = "blue";
  camera_spec.tone_hz = 1000;
  RtspFeeder camera("/cam", camera_spec, root->path() + "/camera.log");
  REQUIRE(camera.Start());
  FeedSpec clip_spec;
  clip_spec.pattern = "green";
  clip_spec.tone_hz = 600;
  const std::string clip = root->path() + "/clip.mp4";
  REQUIRE(WriteMediaFile(clip, clip_spec, 3.0, root->path() + "/clip.log"));

  TestNode node = NodeWithSources(root,
                                  json::array({{{"id", "camera"},
                                                {"kind", "rtsp"},
                                                {"uri", camera.url()},
                                                {"transport", "tcp"}},
                                               {{"id", "clip"}, {"kind", "file"}, {"path", clip}}}),
                                  "camera");
  REQUIRE(node.listening());
  INFO(node.log());
  REQUIRE(WaitForProgram(node, [](const json& s) { return OnAir(s, "camera"); }, seconds(15)));
  // The file is 3 s long and loops: still live well after.
  std::this_thread::sleep_for(seconds(4));
  const json status = ProgramStatus(node);
  INFO(status.dump());
  CHECK(Source(status, "clip")["state"] == "live");
  CHECK(Source(status, "camera")["input"].get<std::string>().find("H.264") != std::string::npos);

  const std::string recording = root->path() + "/point.ts";
  const std::string point = node.links()["points"][1]["point"];
  auto receiver = StartPoints(node, {"--point", point, "--duration", "10", "--record", recording},
                              root->path() + "/point.json", root->path() + "/point.log");
  std::this_thread::sleep_for(seconds(5));

  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient op(*loop.context, Options(node));
  op.Join(OperatorToken(node));
  REQUIRE(RunLoopUntil([&] { return op.Snapshot() != nullptr; }, seconds(10)));
  // Staff get the program's state right after the snapshot.
  CHECK(RunLoopUntil(
      [&] {
        for (const json& m : op.messages()) {
          if (m["type"] == "program" && m["on_air"] == "camera") return true;
        }
        return false;
      },
      seconds(5)));
  const json refused = op.Call({{"type", "program.select"}, {"source", "nope"}});
  CHECK(refused.value("code", "") == "unknown_source");
  const auto asked = Clock::now();
  REQUIRE(IsAck(op.Call({{"type", "program.select"}, {"source", "clip"}})));
  const auto switched =
      WaitForProgram(node, [](const json& s) { return OnAir(s, "clip"); }, seconds(3));
  REQUIRE(switched);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - asked);
  WARN("operator switch on air after " << took.count() << " ms");
  CHECK(took <= milliseconds(1000));
  CHECK(op.HasEvent([](const json& e) {
    return e["type"] == "program.selected" && e["source"] == "clip";
  }));

  REQUIRE(receiver->Wait(seconds(30)).has_value());
  const json report = json::parse(ReadFile(root->path() + "/point.json"));
  INFO(report.dump());
  CHECK(report["points"][0]["attempts"] == 1);

  // The REST way: the same switch for scripts and other tools.
  auto post = [&](const std::string& body, const std::string& bearer) {
    HttpsRequest request;
    request.method = "POST";
    request.path = "/api/program/source";
    request.bearer = bearer;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    return HttpsSend(node.port(), request);
  };
  const HttpsResponse back = post(R"({"source":"camera"})", OperatorToken(node));
  INFO(back.body);
  CHECK(back.status == 200);
  const json back_doc = json::parse(back.body, nullptr, false);
  CHECK(back_doc.value("on_air", "") == "camera");
  CHECK(back_doc.value("seq", 0) > 0);
  CHECK(post(R"({"source":"nope"})", OperatorToken(node)).status == 404);
  CHECK(post(R"({"source":7})", OperatorToken(node)).status == 400);
  CHECK(post(R"({"source":"clip"})", "").status == 401);
  CHECK(post(R"({"source":"clip"})", node.links()["points"][0]["token"]).status == 403);
  CHECK(OnAir(ProgramStatus(node), "camera"));
  auto video = JudgeVideo(recording);
  REQUIRE(video.ok());
  CHECK(video->errors.empty());
  CHECK(LargestGap(*video) < 0.1);
  auto before = MeanColour(recording, {1.0, 2.0});
  REQUIRE(before.ok());
  CHECK(Blue(*before));
  auto before_tone = DominantToneHz(recording, {1.0, 2.0});
  REQUIRE(before_tone.ok());
  CHECK(std::abs(before_tone->hz - 1000) < 30);
  const double end = video->pictures.back().pts_s - video->pictures.front().pts_s;
  auto after = MeanColour(recording, {end - 2.5, 2.0});
  REQUIRE(after.ok());
  CHECK(Green(*after));
  auto after_tone = DominantToneHz(recording, {end - 2.5, 2.0});
  REQUIRE(after_tone.ok());
  CHECK(std::abs(after_tone->hz - 600) < 18);
}

TEST_CASE("the node calls an SRT encoder that listens, with a passphrase") {
  auto root = std::make_shared<TempDir>();
  const int port = FreeUdpPort();
  const std::string passphrase = "mot-mat-khau-dai";
  FeedSpec spec;
  spec.pattern = "blue";
  SrtFeeder encoder(SrtMode::kListener, port, spec, root->path() + "/encoder.log", passphrase);
  REQUIRE(encoder.Start());
  TestNode node = NodeWithSources(
      root,
      json::array({{{"id", "encoder"},
                    {"kind", "srt"},
                    {"uri", "srt://127.0.0.1:" + std::to_string(port) + "?mode=caller"},
                    {"passphrase", passphrase}}}),
      "encoder");
  REQUIRE(node.listening());
  INFO(encoder.Log() << node.log());
  CHECK(WaitForProgram(node, [](const json& s) { return OnAir(s, "encoder"); }, seconds(15)));
}

TEST_CASE("a feed in a codec the node does not take is marked failed and the slate stays") {
  auto root = std::make_shared<TempDir>();
  const int port = FreeUdpPort();
  TestNode node = NodeWithSources(
      root,
      json::array({{{"id", "mpeg2"},
                    {"kind", "srt"},
                    {"uri", "srt://127.0.0.1:" + std::to_string(port) + "?mode=listener"}}}),
      "mpeg2");
  REQUIRE(node.listening());
  FeedSpec spec;
  spec.pattern = "green";
  spec.width = 320;
  spec.height = 180;
  spec.video = VideoCodec::kMpeg2;
  SrtFeeder feeder(SrtMode::kCaller, port, spec, root->path() + "/feeder.log");
  REQUIRE(feeder.Start());
  json status;
  const auto failed = WaitForProgram(
      node,
      [&](const json& s) {
        status = s;
        return Source(s, "mpeg2")["state"] == "failed";
      },
      seconds(20));
  INFO(status.dump() << feeder.Log());
  REQUIRE(failed);
  CHECK_THAT(Source(status, "mpeg2")["reason"].get<std::string>(),
             Catch::Contains("unsupported video codec"));
  CHECK(status["slate"] == true);
  // The points are not disturbed: one joins and gets the slate.
  const std::string point = node.links()["points"][2]["point"];
  PointRun run = RunPoints(node, {"--point", point, "--duration", "4"}, seconds(30));
  INFO(run.log);
  CHECK(run.exit_status == 0);
  CHECK(run.report["points"][0]["frames_decoded"].get<int>() > 50);
  CHECK(node.process().running());
}

TEST_CASE("a quiet source and a loud one reach the points at the same loudness") {
  auto root = std::make_shared<TempDir>();
  FeedSpec quiet_spec;
  quiet_spec.pattern = "blue";
  quiet_spec.tone_hz = 500;
  quiet_spec.volume = 0.02;  // −34 dBFS: a lectern microphone far from the speaker
  FeedSpec loud_spec;
  loud_spec.pattern = "red";
  loud_spec.tone_hz = 800;
  loud_spec.volume = 0.7;  // −3 dBFS: a clip mastered hot
  const std::string quiet = root->path() + "/quiet.mp4";
  const std::string loud = root->path() + "/loud.mp4";
  REQUIRE(WriteMediaFile(quiet, quiet_spec, 4.0, root->path() + "/quiet.log"));
  REQUIRE(WriteMediaFile(loud, loud_spec, 4.0, root->path() + "/loud.log"));
  TestNode node = NodeWithSources(root,
                                  json::array({{{"id", "quiet"}, {"kind", "file"}, {"path", quiet}},
                                               {{"id", "loud"}, {"kind", "file"}, {"path", loud}}}),
                                  "quiet");
  REQUIRE(node.listening());
  REQUIRE(WaitForProgram(node, [](const json& s) { return OnAir(s, "quiet"); }, seconds(15)));
  // Each source's level is measured all the time, on air or not (3 s
  // windows, the gain moving at most 6 dB/s): settled after ~8 s.
  std::this_thread::sleep_for(seconds(9));
  const std::string recording = root->path() + "/point.ts";
  const std::string point = node.links()["points"][3]["point"];
  auto receiver = StartPoints(node, {"--point", point, "--duration", "12", "--record", recording},
                              root->path() + "/point.json", root->path() + "/point.log");
  std::this_thread::sleep_for(seconds(6));
  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient op(*loop.context, Options(node));
  op.Join(OperatorToken(node));
  REQUIRE(RunLoopUntil([&] { return op.Snapshot() != nullptr; }, seconds(10)));
  REQUIRE(IsAck(op.Call({{"type", "program.select"}, {"source", "loud"}})));
  REQUIRE(receiver->Wait(seconds(30)).has_value());

  auto video = JudgeVideo(recording);
  REQUIRE(video.ok());
  const double end = video->pictures.back().pts_s - video->pictures.front().pts_s;
  auto before = DominantToneHz(recording, {1.0, 3.0});
  auto after = DominantToneHz(recording, {end - 4.0, 3.0});
  REQUIRE(before.ok());
  REQUIRE(after.ok());
  WARN("quiet source at the point: " << before->rms_dbfs << " dBFS RMS (" << before->hz
                                     << " Hz); loud source: " << after->rms_dbfs << " dBFS RMS ("
                                     << after->hz << " Hz)");
  CHECK(std::abs(before->hz - 500) < 15);
  CHECK(std::abs(after->hz - 800) < 24);
  // 31 dB apart at the source, within 5 dB at the point (seen: 0.3–3.5 dB
  // over runs; the quiet one lands between −32 and −36.5 dBFS, the loud one
  // between −31 and −33.5).
  CHECK(std::abs(before->rms_dbfs - after->rms_dbfs) < 5.0);
  CHECK(before->rms_dbfs > -38);
  CHECK(after->rms_dbfs < -10);
}

TEST_CASE("a camera that is not there fails with its reason and a file played once ends") {
  auto root = std::make_shared<TempDir>();
  FeedSpec spec;
  spec.pattern = "green";
  const std::string clip = root->path() + "/clip.mp4";
  REQUIRE(WriteMediaFile(clip, spec, 2.0, root->path() + "/clip.log"));
  TestNode node = NodeWithSources(
      root,
      json::array({{{"id", "clip"}, {"kind", "file"}, {"path", clip}, {"loop", false},
                    {"backup", "usb"}},
                   {{"id", "usb"}, {"kind", "device"}, {"video", "/dev/video-not-here"}}}),
      "clip");
  REQUIRE(node.listening());
  REQUIRE(WaitForProgram(node, [](const json& s) { return OnAir(s, "clip"); }, seconds(15)));
  json status;
  REQUIRE(WaitForProgram(
      node,
      [&](const json& s) {
        status = s;
        return Source(s, "clip")["state"] == "idle";
      },
      seconds(10)));
  INFO(status.dump());
  CHECK(Source(status, "clip")["reason"] == "the file has ended");
  CHECK(Source(status, "usb")["state"] == "failed");
  CHECK_FALSE(Source(status, "usb")["reason"].get<std::string>().empty());
  // Neither is live: the backup cannot stand in, the slate is on air.
  CHECK(status["slate"] == true);
  CHECK(node.process().running());
}

TEST_CASE("a WHIP publisher over HTTPS goes on air, others are refused, and DELETE brings the slate") {
  auto root = std::make_shared<TempDir>();
  TestNode node = NodeWithSources(
      root, json::array({{{"id", "obs"}, {"label", "Máy OBS"}, {"kind", "whip"}}}), "obs");
  REQUIRE(node.listening());
  INFO(node.log());
  const std::string conference = node.links()["conference"]["id"];
  const std::string endpoint = "/whip/" + conference;
  const std::string token = IssueToken(node, "publisher");
  REQUIRE_FALSE(token.empty());
  CHECK(Source(ProgramStatus(node), "obs")["state"] == "idle");
  auto offer = [&](const std::string& sdp, const std::string& bearer,
                   const std::string& path, const std::string& type = "application/sdp") {
    HttpsRequest post;
    post.method = "POST";
    post.path = path;
    post.bearer = bearer;
    post.headers = {{"Content-Type", type}};
    post.body = sdp;
    return HttpsSend(node.port(), post);
  };

  gst_init(nullptr, nullptr);
  WhipPublisher obs;
  const HttpsResponse created = offer(obs.Offer(), token, endpoint);
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.content_type == "application/sdp");
  const std::string location = created.Header("location");
  CHECK(location.starts_with(endpoint + "/obs/"));
  obs.Answer(created.body);
  const auto live = WaitForProgram(node, [](const json& s) { return OnAir(s, "obs"); }, seconds(5));
  REQUIRE(live);
  WARN("on air " << live->count() << " ms after the answer");

  // What a point receives, judged by ffmpeg: the publisher's red and 440 Hz.
  const std::string recording = root->path() + "/point.ts";
  const std::string point = node.links()["points"][0]["point"];
  auto receiver = StartPoints(node, {"--point", point, "--duration", "6", "--record", recording},
                              root->path() + "/point.json", root->path() + "/point.log");

  // Refused while it plays: a second publisher, bad tokens, paths, methods.
  WhipPublisher second;
  const HttpsResponse busy = offer(second.Offer(), token, endpoint + "/obs");
  CHECK(busy.status == 409);
  CHECK(json::parse(busy.body, nullptr, false).value("code", "") == "busy");
  CHECK(offer("v=0", "", endpoint).status == 401);
  CHECK(offer("v=0", "bc1.bad.sig", endpoint).status == 401);
  CHECK(offer("v=0", OperatorToken(node), endpoint).status == 403);
  CHECK(offer("v=0", IssueToken(node, "point", point), endpoint).status == 403);
  CHECK(offer("v=0", token, endpoint + "/camera").status == 404);
  CHECK(offer("v=0", token, "/whip/another-conference").status == 404);
  CHECK(offer("v=0", token, endpoint, "text/plain").status == 415);
  HttpsRequest patch;
  patch.method = "PATCH";
  patch.path = location;
  patch.bearer = token;
  patch.headers = {{"Content-Type", "application/trickle-ice-sdpfrag"}};
  patch.body = "a=end-of-candidates\r\n";
  const HttpsResponse no_trickle = HttpsSend(node.port(), patch);
  CHECK(no_trickle.status == 405);
  CHECK(no_trickle.Header("allow") == "POST, DELETE");
  HttpsRequest options;
  options.method = "OPTIONS";
  options.path = endpoint;
  const HttpsResponse accepted = HttpsSend(node.port(), options);
  CHECK(accepted.status == 204);
  CHECK(accepted.Header("accept-post") == "application/sdp");
  CHECK(OnAir(ProgramStatus(node), "obs"));

  REQUIRE(receiver->Wait(seconds(30)).has_value());
  auto colour = MeanColour(recording, {1.0, 3.0});
  REQUIRE(colour.ok());
  CHECK(Red(*colour));
  auto tone = DominantToneHz(recording, {1.0, 3.0});
  REQUIRE(tone.ok());
  CHECK(tone->HasTone());
  CHECK(std::abs(tone->hz - 440) < 440 * 0.03);

  HttpsRequest end;
  end.method = "DELETE";
  end.path = location;
  end.bearer = token;
  CHECK(HttpsSend(node.port(), end).status == 200);
  const auto slate =
      WaitForProgram(node, [](const json& s) { return s.value("slate", false); }, seconds(2));
  REQUIRE(slate);
  const json status = ProgramStatus(node);
  CHECK(Source(status, "obs")["state"] == "idle");
  CHECK(Source(status, "obs")["reason"] == "the publisher left");
  CHECK(HttpsSend(node.port(), end).status == 404);
}

}  // namespace bridgecast::test
