// The floor end to end: the real node, real native points over WebRTC on
// loopback — one holding the floor and sending a coloured test camera and a
// tone (`bridgecast point --uplink-colour --uplink-tone`) over an uplink that
// loses 10% of its packets (`--uplink-loss`), one receiving and
// recording the program — the chair granting and revoking over WSS, and the
// hall's return read over SRT. ffmpeg judges the recordings: colour, tones
// measured by FFT, the pictures' continuity.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "child_process.hpp"
#include "client_loop.hpp"
#include "conference_client.hpp"
#include "media_feeder.hpp"
#include "test_node.hpp"
#include "tests/support/media_judge.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kHallHz = 440;
constexpr double kSpeakerHz = 660;
// Tone levels after loudness normalisation (-23 LUFS) and Opus: a sine heard
// is well above -40 dBFS; one not in the mix is under -55 in its own bin.
constexpr double kHeard = -40;
constexpr double kAbsent = -55;

// A node whose program is a red 440 Hz test pattern, 640x360 at 25 fps, with
// the hall's return on `return_port`.
TestNode FloorNode(const std::shared_ptr<TempDir>& root, int return_port) {
  const std::string config = root->path() + "/config.json";
  std::ofstream(config) << json{
      {"ingest",
       {{"sources",
         json::array({{{"id", "hall"}, {"kind", "test_pattern"}, {"pattern", "red"},
                       {"tone_hz", static_cast<int>(kHallHz)}}})},
        {"on_air", "hall"}}},
      {"floor",
       {{"return_srt",
         "srt://127.0.0.1:" + std::to_string(return_port) + "?mode=listener"}}}}
                               .dump();
  return TestNode(root, {"--video-size", "640x360", "--video-kbps", "800", "--fps", "25",
                         "--config", config});
}

bool Red(const MeanRgb& c) { return c.r > 180 && c.g < 80 && c.b < 80; }
bool Blue(const MeanRgb& c) { return c.b > 180 && c.r < 80 && c.g < 80; }

// The level of `hz` in `range` of `path`: the strongest frequency within
// ±40 Hz of it, or -200 if it is elsewhere.
double ToneLevel(const std::string& path, TimeRange range, double hz) {
  auto tone = DominantToneHz(path, range, hz - 40, hz + 40);
  if (!tone) return -200;
  return std::abs(tone->hz - hz) < 5 ? tone->tone_dbfs : -200;
}

// The stretches of a recording that are blue (seconds from its start, in
// half-second steps): where the speaker was on air.
struct Stretch {
  double start_s = -1;
  double end_s = -1;
  double length() const { return end_s - start_s; }
};
std::vector<Stretch> BlueStretches(const std::string& path) {
  constexpr double kStep = 0.5;
  std::vector<Stretch> out;
  auto timeline = ColourTimeline(path, kStep);
  if (!timeline) return out;
  for (size_t i = 0; i < timeline->size(); ++i) {
    const double t = static_cast<double>(i) * kStep;
    if (!Blue((*timeline)[i])) continue;
    if (out.empty() || out.back().end_s < t) out.push_back({t, t});
    out.back().end_s = t + kStep;
  }
  return out;
}

// The largest step between consecutive pictures, and where it starts (s
// from the first picture).
std::pair<double, double> LargestGap(const VideoVerdict& video) {
  std::pair<double, double> gap{0, 0};
  for (size_t i = 1; i < video.pictures.size(); ++i) {
    const double step = video.pictures[i].pts_s - video.pictures[i - 1].pts_s;
    if (step > gap.first) gap = {step, video.pictures[i - 1].pts_s - video.pictures[0].pts_s};
  }
  return gap;
}

// The hall's desk: reads the return over SRT into a file.
std::unique_ptr<ChildProcess> ReadReturn(int port, const std::string& file,
                                         const std::string& log) {
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/gst-launch-1.0", "-q", "srtsrc",
                               "uri=srt://127.0.0.1:" + std::to_string(port) + "?mode=caller",
                               "!", "filesink", "location=" + file},
      log);
}

}  // namespace

TEST_CASE("the point with the floor is seen and heard by all through 10% uplink loss, hears the "
          "hall without itself, and the hall's return carries it alone, five grants without a gap") {
  auto root = std::make_shared<TempDir>();
  const int return_port = FreeUdpPort();
  TestNode node = FloorNode(root, return_port);
  INFO(node.log());
  REQUIRE(node.listening());
  const json links = node.links();
  const std::string speaker = links["points"][0]["point"];
  const std::string listener = links["points"][1]["point"];
  const std::string dir = root->path();

  auto speaking = StartPoints(node,
                              {"--point", speaker, "--duration", "45", "--uplink-colour",
                               "0000ff", "--uplink-tone", "660", "--record-return",
                               dir + "/mix-minus.wav", "--uplink-loss", "0.1"},
                              dir + "/speaker.json", dir + "/speaker.log");
  auto receiving = StartPoints(node, {"--point", listener, "--duration", "45", "--record",
                                      dir + "/program.ts"},
                               dir + "/listener.json", dir + "/listener.log");
  auto desk = ReadReturn(return_port, dir + "/return.ts", dir + "/desk.log");

  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(node));
  chair.Join(IssueToken(node, "chair"));
  REQUIRE(RunLoopUntil([&] { return chair.Snapshot() != nullptr; }, seconds(10)));
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));
  RunLoopFor(seconds(3));  // the receiver's recording starts with the hall
  // One long turn, judged in detail, then four short ones. The first grant
  // is refused (point_offline) until the speaker has joined.
  const json grant = {{"type", "floor.grant"}, {"point", speaker}};
  bool granted = false;
  for (int i = 0; i < 20 && !granted; ++i) {
    granted = IsAck(chair.Call(grant));
    if (!granted) RunLoopFor(seconds(1));
  }
  REQUIRE(granted);
  RunLoopFor(seconds(8));
  REQUIRE(IsAck(chair.Call({{"type", "floor.revoke"}})));
  RunLoopFor(seconds(4));
  for (int turn = 0; turn < 4; ++turn) {
    REQUIRE(IsAck(chair.Call(grant)));
    RunLoopFor(seconds(3));
    REQUIRE(IsAck(chair.Call({{"type", "floor.revoke"}})));
    RunLoopFor(seconds(2));
  }
  RunLoopFor(seconds(2));
  receiving->Signal(SIGINT);
  speaking->Signal(SIGINT);
  desk->Signal(SIGINT);
  receiving->Wait(seconds(15));
  speaking->Wait(seconds(15));
  desk->Wait(seconds(5));
  INFO(node.log() << ReadFile(dir + "/speaker.log") << ReadFile(dir + "/listener.log"));

  // Another point sees the speaker's picture (blue, the hall's red in a
  // corner) for each turn, and hears both tones.
  const std::string program = dir + "/program.ts";
  auto video = JudgeVideo(program);
  REQUIRE(video);
  const std::vector<Stretch> turns = BlueStretches(program);
  REQUIRE(turns.size() == 5);
  CHECK(turns[0].length() >= 7);
  for (size_t i = 1; i < turns.size(); ++i) CHECK(turns[i].length() >= 2);
  const TimeRange on{turns[0].start_s + 1.5, 4};
  CHECK(ToneLevel(program, on, kSpeakerHz) > kHeard);
  CHECK(ToneLevel(program, on, kHallHz) > kHeard);
  // After the revoke: the hall alone, red and 440 Hz.
  const TimeRange off{turns[0].end_s + 1, 2};
  auto after = MeanColour(program, off);
  REQUIRE(after);
  CHECK(Red(*after));
  CHECK(ToneLevel(program, off, kSpeakerHz) < kAbsent);
  CHECK(ToneLevel(program, off, kHallHz) > kHeard);
  // Five switches each way, and not one picture missed nor out of order.
  CHECK(video->errors.empty());
  CHECK(video->StrictlyIncreasing());
  const auto [gap, gap_at] = LargestGap(*video);
  INFO("largest gap " << gap << " s at " << gap_at << " s; turns from " << turns[0].start_s
                      << ", " << turns[1].start_s << ", " << turns[2].start_s << ", "
                      << turns[3].start_s << ", " << turns[4].start_s);
  CHECK(gap < 0.1);
  CHECK(video->pictures.size() >= static_cast<size_t>(25 * video->Span() * 0.97));

  // The speaker's own room hears the hall, never itself.
  const std::string mix_minus = dir + "/mix-minus.wav";
  CHECK(ToneLevel(mix_minus, {1, 5}, kHallHz) > kHeard);
  CHECK(ToneLevel(mix_minus, {1, 5}, kSpeakerHz) < kAbsent);

  // The hall's desk gets the speaker and not its own microphone; silence
  // once the floor is back with the hall.
  const std::string hall_return = dir + "/return.ts";
  auto returned = JudgeVideo(hall_return);
  INFO(ReadFile(dir + "/desk.log") << (returned ? "" : returned.error().message));
  REQUIRE(returned);
  const std::vector<Stretch> returned_turns = BlueStretches(hall_return);
  REQUIRE(returned_turns.size() == 5);
  const TimeRange return_on{returned_turns[0].start_s + 1.5, 4};
  CHECK(ToneLevel(hall_return, return_on, kSpeakerHz) > kHeard);
  CHECK(ToneLevel(hall_return, return_on, kHallHz) < kAbsent);
  auto return_off = DominantToneHz(hall_return, {returned_turns[0].end_s + 1, 2});
  REQUIRE(return_off);
  CHECK(return_off->rms_dbfs < -60);

  // The recording is what the points saw: the five turns are in it.
  REQUIRE(IsAck(chair.Call({{"type", "conference.end"}})));
  const std::string archived = dir + "/archive.mp4";
  bool exported = false;
  for (int i = 0; i < 20 && !exported; ++i) {
    RunLoopFor(milliseconds(500));
    exported = RunArchive(node.state_dir(), {"export", links["conference"]["id"], "--out",
                                             archived})
                   .exit_status == 0;
  }
  REQUIRE(exported);
  CHECK(BlueStretches(archived).size() == 5);
}

}  // namespace bridgecast::test

namespace bridgecast::test {
namespace {

// An answer whose codecs the node never offered: PCMU sound, VP9 pictures.
constexpr const char* kForeignAnswer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE audio0 video1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:audio0\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:"
    "66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:active\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:video1\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:"
    "66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:active\r\na=sendonly\r\na=rtpmap:98 VP9/90000\r\n";

const json* Last(const ConferenceClient& client, const std::string& type) {
  const json* found = nullptr;
  for (const json& m : client.messages()) {
    if (m["type"] == type) found = &m;
  }
  return found;
}

size_t Count(const ConferenceClient& client, const std::string& type) {
  size_t n = 0;
  for (const json& m : client.messages()) n += m["type"] == type;
  return n;
}

}  // namespace

TEST_CASE("only the point holding the floor gets an uplink, and an uplink in a foreign codec is "
          "refused with a clear error") {
  auto root = std::make_shared<TempDir>();
  TestNode node(root, {"--video-size", "320x180", "--video-kbps", "300", "--fps", "15"});
  INFO(node.log());
  REQUIRE(node.listening());
  const json links = node.links();
  ClientLoop loop;
  REQUIRE(loop.context);
  ConferenceClient chair(*loop.context, Options(node));
  ConferenceClient speaker(*loop.context, Options(node));
  ConferenceClient other(*loop.context, Options(node));
  chair.Join(IssueToken(node, "chair"));
  speaker.Join(links["points"][0]["token"]);
  other.Join(links["points"][1]["token"]);
  REQUIRE(RunLoopUntil(
      [&] { return chair.Snapshot() && speaker.Snapshot() && other.Snapshot(); }, seconds(10)));
  REQUIRE(IsAck(chair.Call({{"type", "conference.start"}})));

  // Without the floor there is nothing to send media to.
  // The code of the error a message gets; empty if none comes.
  auto refused = [&](ConferenceClient& client, const json& message) -> std::string {
    const size_t errors = Count(client, "error");
    client.SendRaw(message.dump());
    if (!RunLoopUntil([&] { return Count(client, "error") > errors; }, seconds(5))) return "";
    return (*Last(client, "error"))["code"];
  };
  CHECK(refused(other, {{"type", "uplink_answer"}, {"sdp", kForeignAnswer}}) == "no_uplink");
  CHECK(refused(other, {{"type", "uplink_ice"},
                        {"candidate", "candidate:1 1 UDP 1 127.0.0.1 9 typ host"},
                        {"sdpMLineIndex", 0}}) == "no_uplink");

  // The grant brings the holder, and only it, an offer: pictures in (H.264
  // or VP8, with NACK), sound both ways (Opus with in-band FEC).
  const std::string point = links["points"][0]["point"];
  REQUIRE(IsAck(chair.Call({{"type", "floor.grant"}, {"point", point}})));
  REQUIRE(RunLoopUntil([&] { return Last(speaker, "uplink_offer") != nullptr; }, seconds(10)));
  const std::string offer = (*Last(speaker, "uplink_offer"))["sdp"];
  CHECK(offer.find("m=video") != std::string::npos);
  CHECK(offer.find("a=recvonly") != std::string::npos);
  CHECK(offer.find("a=sendrecv") != std::string::npos);
  CHECK(offer.find("H264/90000") != std::string::npos);
  CHECK(offer.find("VP8/90000") != std::string::npos);
  CHECK(offer.find("OPUS/48000") != std::string::npos);
  CHECK(offer.find("useinbandfec=1") != std::string::npos);
  CHECK(offer.find("nack") != std::string::npos);
  RunLoopFor(milliseconds(500));
  CHECK(Last(other, "uplink_offer") == nullptr);

  // Not SDP: refused, the offer still stands.
  CHECK(refused(speaker, {{"type", "uplink_answer"}, {"sdp", "hello"}}) == "bad_sdp");
  // Codecs the node did not offer: refused, and the uplink is closed.
  CHECK(refused(speaker, {{"type", "uplink_answer"}, {"sdp", kForeignAnswer}}) ==
        "unsupported_codec");
  CHECK((*Last(speaker, "error"))["message"].get<std::string>().find("PCMU") != std::string::npos);
  REQUIRE(RunLoopUntil([&] { return Last(speaker, "uplink_close") != nullptr; }, seconds(5)));
  CHECK((*Last(speaker, "uplink_close"))["reason"] == "unsupported_codec");
  CHECK(refused(speaker, {{"type", "uplink_answer"}, {"sdp", kForeignAnswer}}) == "no_uplink");
  // Not offered again for this grant; a new grant offers anew.
  RunLoopFor(milliseconds(500));
  CHECK(Count(speaker, "uplink_offer") == 1);
  REQUIRE(IsAck(chair.Call({{"type", "floor.revoke"}})));
  REQUIRE(IsAck(chair.Call({{"type", "floor.grant"}, {"point", point}})));
  CHECK(RunLoopUntil([&] { return Count(speaker, "uplink_offer") == 2; }, seconds(10)));
  // The floor given to another point closes the first one's uplink.
  REQUIRE(IsAck(chair.Call({{"type", "floor.revoke"}})));
  CHECK(RunLoopUntil([&] { return Count(speaker, "uplink_close") == 2; }, seconds(5)));
  CHECK((*Last(speaker, "uplink_close"))["reason"] == "revoked");
}

}  // namespace bridgecast::test
