#include "media/program.hpp"

#include <gst/video/video.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "media_test_util.hpp"

namespace bridgecast::media {

TEST_CASE("the program encodes once and its tee carries H.264 RTP") {
  test::GstOnce();
  NullProgramListener listener;
  SteadyClock clock;
  auto program = Program::Create(test::SmallProgram(), listener, clock);
  REQUIRE(program.ok());
  test::RtpCounter video(**program, (*program)->video_tee());
  test::RtpCounter audio(**program, (*program)->audio_tee());
  REQUIRE((*program)->Start());
  test::RunLoopUntil([&] { return video.packets() > 30 && audio.packets() > 10; },
                     std::chrono::seconds(5));
  CHECK(video.packets() > 30);
  CHECK(audio.packets() > 10);
  CHECK_THAT(video.caps(), Catch::Contains("H264"));
  CHECK_THAT(audio.caps(), Catch::Contains("OPUS"));
}

TEST_CASE("a keyframe request reaches the encoder, throttled") {
  test::GstOnce();
  NullProgramListener listener;
  SteadyClock clock;
  ProgramConfig config = test::SmallProgram();
  config.keyframe_interval = std::chrono::milliseconds(30000);
  auto program = Program::Create(config, listener, clock);
  REQUIRE(program.ok());
  GstElementPtr encoder(gst_bin_get_by_name(GST_BIN((*program)->pipeline()), "venc"));
  GstPadPtr encoder_src(gst_element_get_static_pad(encoder.get(), "src"));
  std::atomic<int> keyframes{0};
  gst_pad_add_probe(
      encoder_src.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT)) {
          ++*static_cast<std::atomic<int>*>(data);
        }
        return GST_PAD_PROBE_OK;
      },
      &keyframes, nullptr);
  CHECK_FALSE((*program)->KeyframeAge());  // none yet
  REQUIRE((*program)->Start());
  test::RunLoopUntil([&] { return keyframes.load() >= 1; }, std::chrono::seconds(5));
  REQUIRE(keyframes.load() == 1);  // the stream's first
  test::RunLoopFor(std::chrono::milliseconds(600));
  // The operator's board shows how old the newest keyframe is.
  REQUIRE((*program)->KeyframeAge());
  CHECK(*(*program)->KeyframeAge() >= std::chrono::milliseconds(500));

  for (int i = 0; i < 10; ++i) (*program)->RequestKeyframe();
  test::RunLoopFor(std::chrono::milliseconds(1500));
  // Ten requests at once: one now, one at the end of the gap.
  CHECK(keyframes.load() == 3);
  CHECK(*(*program)->KeyframeAge() < std::chrono::milliseconds(1500));
  CHECK((*program)->keyframe_throttle().requests() == 10);
}

TEST_CASE("bad program settings are refused before any pipeline exists") {
  test::GstOnce();
  NullProgramListener listener;
  SteadyClock clock;
  ProgramConfig config = test::SmallProgram();
  config.width = 641;
  auto program = Program::Create(config, listener, clock);
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == "bad_config");
}

}  // namespace bridgecast::media
