#include "tests/support/media_judge.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace bridgecast::test {
namespace {

// Runs a command line that writes a clip; its chatter stays out of the log.
void Make(const std::string& command) {
  INFO(command);
  REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0);
}

// What the node's recorder writes: MPEG-TS with H.264 and AAC, made by GStreamer.
std::string GstTsClip(const std::string& dir, const std::string& pattern, int hz) {
  const std::string path = dir + "/" + pattern + ".ts";
  Make("gst-launch-1.0 -q videotestsrc num-buffers=75 pattern=" + pattern +
       " ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc tune=zerolatency"
       " ! h264parse ! mpegtsmux name=mux ! filesink location=" + path +
       " audiotestsrc num-buffers=141 samplesperbuffer=1024 wave=sine freq=" + std::to_string(hz) +
       " ! audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! mux.");
  return path;
}

TEST_CASE("MeanColour and DominantToneHz read a red 440 Hz MPEG-TS clip", "[judge]") {
  TempDir dir;
  const std::string clip = GstTsClip(dir.path(), "red", 440);

  auto colour = MeanColour(clip);
  REQUIRE(colour);
  CHECK(colour->errors.empty());
  CHECK(colour->pictures >= 70);
  CHECK(colour->r > 180);
  CHECK(colour->g < 60);
  CHECK(colour->b < 60);

  auto timeline = ColourTimeline(clip, 0.5);
  REQUIRE(timeline);
  CHECK(timeline->size() >= 5);
  for (const MeanRgb& picture : *timeline) CHECK(picture.r > 180);

  auto tone = DominantToneHz(clip);
  REQUIRE(tone);
  CHECK(tone->hz == Approx(440).epsilon(0.01));
  CHECK(tone->HasTone());
  // audiotestsrc's default volume 0.8: a sine of RMS 0.566, -4.9 dBFS.
  CHECK(tone->rms_dbfs == Approx(-4.9).margin(1));
  CHECK(tone->tone_dbfs == Approx(tone->rms_dbfs).margin(0.5));
  CHECK(tone->seconds == Approx(3).margin(0.2));
}

TEST_CASE("MeanColour and DominantToneHz read a blue 1000 Hz Matroska clip with Opus", "[judge]") {
  TempDir dir;
  const std::string clip = dir.path() + "/blue.mkv";
  Make("ffmpeg -nostdin -f lavfi -i color=c=blue:s=320x180:r=25:d=3"
       " -f lavfi -i sine=frequency=1000:sample_rate=48000:duration=3"
       " -c:v libx264 -c:a libopus " + clip);

  auto colour = MeanColour(clip);
  REQUIRE(colour);
  CHECK(colour->b > 180);
  CHECK(colour->r < 60);
  CHECK(colour->g < 60);

  auto timeline = ColourTimeline(clip, 0.5);
  REQUIRE(timeline);
  CHECK(timeline->size() >= 5);
  for (const MeanRgb& picture : *timeline) CHECK(picture.b > 180);

  auto tone = DominantToneHz(clip);
  REQUIRE(tone);
  CHECK(tone->hz == Approx(1000).epsilon(0.01));
  CHECK(tone->HasTone());
}

TEST_CASE("DominantToneHz finds no tone in silence or in noise", "[judge]") {
  TempDir dir;
  const std::string silence = dir.path() + "/silence.ts";
  Make("ffmpeg -nostdin -f lavfi -i color=c=gray:s=320x180:r=25:d=2"
       " -f lavfi -i anullsrc=r=48000:cl=stereo -t 2 -c:v libx264 -c:a aac " + silence);
  auto quiet = DominantToneHz(silence);
  REQUIRE(quiet);
  CHECK_FALSE(quiet->HasTone());
  CHECK(quiet->rms_dbfs < -90);

  const std::string noise = dir.path() + "/noise.mkv";
  Make("ffmpeg -nostdin -f lavfi -i anoisesrc=r=48000:a=0.5:d=2 -c:a libopus " + noise);
  auto hiss = DominantToneHz(noise);
  REQUIRE(hiss);
  CHECK_FALSE(hiss->HasTone());
  CHECK(hiss->rms_dbfs > -20);
}

TEST_CASE("MeanColour and DominantToneHz measure only the time range asked for", "[judge]") {
  TempDir dir;
  const std::string clip = dir.path() + "/two_halves.mkv";
  // Green and 600 Hz for two seconds, then magenta and 2500 Hz.
  Make("ffmpeg -nostdin -f lavfi -i color=c=lime:s=320x180:r=25:d=2"
       " -f lavfi -i color=c=magenta:s=320x180:r=25:d=2"
       " -f lavfi -i sine=frequency=600:sample_rate=48000:duration=2"
       " -f lavfi -i sine=frequency=2500:sample_rate=48000:duration=2"
       " -filter_complex [0:v][2:a][1:v][3:a]concat=n=2:v=1:a=1[v][a]"
       " -map [v] -map [a] -c:v libx264 -c:a libopus " + clip);

  auto first = MeanColour(clip, {0.2, 1.5});
  REQUIRE(first);
  CHECK(first->g > 180);
  CHECK(first->r < 60);
  CHECK(first->b < 60);
  CHECK(first->pictures == Approx(37).margin(2));
  auto second = MeanColour(clip, {2.3, 1.5});
  REQUIRE(second);
  CHECK(second->r > 180);
  CHECK(second->b > 180);
  CHECK(second->g < 60);

  auto low = DominantToneHz(clip, {0.2, 1.5});
  REQUIRE(low);
  CHECK(low->hz == Approx(600).epsilon(0.01));
  auto high = DominantToneHz(clip, {2.3, 1.5});
  REQUIRE(high);
  CHECK(high->hz == Approx(2500).epsilon(0.01));
  CHECK(high->seconds == Approx(1.5).margin(0.05));
}

TEST_CASE("MeanColour and DominantToneHz fail on a file without that stream", "[judge]") {
  TempDir dir;
  const std::string clip = dir.path() + "/video_only.mkv";
  Make("ffmpeg -nostdin -f lavfi -i color=c=red:s=320x180:r=25:d=1 -c:v libx264 " + clip);
  CHECK(MeanColour(clip));
  CHECK_FALSE(DominantToneHz(clip));
  CHECK_FALSE(MeanColour(dir.path() + "/missing.ts"));
}

}  // namespace
}  // namespace bridgecast::test
