#include "media_feeder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/support/media_judge.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::test {
namespace {

// ffmpeg copies three seconds of what `input` delivers into `out` (MPEG-TS).
std::unique_ptr<ChildProcess> StartReceiver(const std::vector<std::string>& input,
                                            const std::string& out) {
  std::vector<std::string> argv{"/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y"};
  argv.insert(argv.end(), input.begin(), input.end());
  for (const char* a : {"-t", "3", "-c", "copy", "-f", "mpegts"}) argv.push_back(a);
  argv.push_back(out);
  return std::make_unique<ChildProcess>(argv, out + ".log");
}

bool Finished(ChildProcess& receiver) {
  const auto status = receiver.Wait(std::chrono::seconds(15));
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

bool Receive(const std::vector<std::string>& input, const std::string& out) {
  return Finished(*StartReceiver(input, out));
}

// The pattern is solid `r, g, b` (each 0 or 255) and the tone is `hz`.
void CheckPatternAndTone(const std::string& path, int r, int g, int b, double hz) {
  INFO(path);
  auto colour = MeanColour(path);
  REQUIRE(colour);
  INFO("mean colour " << colour->r << "," << colour->g << "," << colour->b);
  CHECK(colour->pictures >= 25);
  CHECK(std::abs(colour->r - r) < 60);
  CHECK(std::abs(colour->g - g) < 60);
  CHECK(std::abs(colour->b - b) < 60);
  auto tone = DominantToneHz(path);
  REQUIRE(tone);
  CHECK(tone->hz == Approx(hz).epsilon(0.02));
  CHECK(tone->HasTone());
}

bool UdpPortFree(int port) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return free;
}

std::string SrtCaller(int port) {
  return "srt://127.0.0.1:" + std::to_string(port) + "?mode=caller";
}

TEST_CASE("SrtFeeder as a listener sends its pattern and tone, again after SIGKILL on its port",
          "[feeder]") {
  TempDir dir;
  const int port = FreeUdpPort();
  REQUIRE(port > 0);
  FeedSpec spec;
  spec.pattern = "red";
  spec.tone_hz = 440;
  SrtFeeder feeder(SrtMode::kListener, port, spec, dir.path() + "/feeder.log");
  REQUIRE(feeder.Start());

  REQUIRE(Receive({"-i", SrtCaller(port)}, dir.path() + "/first.ts"));
  CheckPatternAndTone(dir.path() + "/first.ts", 255, 0, 0, 440);

  feeder.Kill();
  CHECK_FALSE(feeder.running());
  CHECK(UdpPortFree(port));
  REQUIRE(feeder.Restart());
  INFO(feeder.Log());
  REQUIRE(Receive({"-i", SrtCaller(port)}, dir.path() + "/second.ts"));
  CheckPatternAndTone(dir.path() + "/second.ts", 255, 0, 0, 440);
}

TEST_CASE("SrtFeeder as a caller with a passphrase reaches an encrypted listener, with Opus",
          "[feeder]") {
  TempDir dir;
  const int port = FreeUdpPort();
  REQUIRE(port > 0);
  const std::string passphrase = "feeder-secret-1";
  FeedSpec spec;
  spec.pattern = "blue";
  spec.tone_hz = 1000;
  spec.audio = AudioCodec::kOpus;
  SrtFeeder feeder(SrtMode::kCaller, port, spec, dir.path() + "/feeder.log", passphrase);
  // Nobody listens yet: the caller does not start.
  CHECK_FALSE(feeder.Start(std::chrono::milliseconds(500)));
  CHECK_FALSE(feeder.running());

  auto receiver = StartReceiver(
      {"-i", "srt://127.0.0.1:" + std::to_string(port) + "?mode=listener&passphrase=" + passphrase},
      dir.path() + "/got.ts");
  // Waits until ffmpeg listens.
  REQUIRE(feeder.Start());
  INFO(feeder.Log());
  REQUIRE(Finished(*receiver));
  CheckPatternAndTone(dir.path() + "/got.ts", 0, 0, 255, 1000);
}

TEST_CASE("SrtFeeder sends MPEG-2 video when asked", "[feeder]") {
  TempDir dir;
  const int port = FreeUdpPort();
  REQUIRE(port > 0);
  FeedSpec spec;
  spec.pattern = "green";
  spec.tone_hz = 700;
  spec.video = VideoCodec::kMpeg2;
  spec.width = 320;
  spec.height = 180;
  SrtFeeder feeder(SrtMode::kListener, port, spec, dir.path() + "/feeder.log");
  REQUIRE(feeder.Start());
  const std::string got = dir.path() + "/got.ts";
  REQUIRE(Receive({"-i", SrtCaller(port)}, got));
  CHECK(std::system(("ffprobe -v error -select_streams v:0 -show_entries stream=codec_name"
                     " -of csv=p=0 " + got + " | grep -q ^mpeg2video").c_str()) == 0);
  CheckPatternAndTone(got, 0, 255, 0, 700);
}

TEST_CASE("WriteMediaFile writes MP4 and Matroska clips of its pattern and tone", "[feeder]") {
  TempDir dir;
  FeedSpec spec;
  spec.pattern = "red";
  spec.tone_hz = 440;
  REQUIRE(WriteMediaFile(dir.path() + "/red.mp4", spec, 5, dir.path() + "/mp4.log"));
  CheckPatternAndTone(dir.path() + "/red.mp4", 255, 0, 0, 440);
  auto video = JudgeVideo(dir.path() + "/red.mp4");
  REQUIRE(video);
  CHECK(video->errors.empty());
  CHECK(video->StartsWithKeyframe());
  CHECK(video->Span() == Approx(5).margin(0.1));

  spec.pattern = "blue";
  spec.tone_hz = 1500;
  spec.audio = AudioCodec::kOpus;
  REQUIRE(WriteMediaFile(dir.path() + "/blue.mkv", spec, 5, dir.path() + "/mkv.log"));
  CheckPatternAndTone(dir.path() + "/blue.mkv", 0, 0, 255, 1500);
  auto audio = JudgeAudio(dir.path() + "/blue.mkv");
  REQUIRE(audio);
  CHECK(audio->end_s - audio->first_pts_s == Approx(5).margin(0.1));

  CHECK_FALSE(WriteMediaFile(dir.path() + "/clip.avi", spec, 1, dir.path() + "/avi.log"));
}

TEST_CASE("RtspFeeder serves its pattern and tone over TCP and UDP, again after SIGKILL",
          "[feeder]") {
  TempDir dir;
  FeedSpec spec;
  spec.pattern = "blue";
  spec.tone_hz = 1000;
  RtspFeeder server("/cam", spec, dir.path() + "/server.log");
  REQUIRE(server.Start());
  const std::string url = server.url();
  CHECK(url.starts_with("rtsp://127.0.0.1:"));
  CHECK(url.ends_with("/cam"));
  REQUIRE(Receive({"-rtsp_transport", "tcp", "-i", url}, dir.path() + "/tcp.ts"));
  CheckPatternAndTone(dir.path() + "/tcp.ts", 0, 0, 255, 1000);

  server.Kill();
  REQUIRE(server.Restart());
  CHECK(server.url() == url);
  REQUIRE(Receive({"-rtsp_transport", "udp", "-i", url}, dir.path() + "/udp.ts"));
  CheckPatternAndTone(dir.path() + "/udp.ts", 0, 0, 255, 1000);
}

}  // namespace
}  // namespace bridgecast::test
