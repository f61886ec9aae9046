#include "media/capture_stamp.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "media_test_util.hpp"

namespace bridgecast::media {
namespace {

using std::chrono::milliseconds;

struct Picture {
  Picture(int w, int h, uint8_t fill = 128)
      : pixels(static_cast<size_t>(w + 16) * h, fill), plane{pixels.data(), w, h, w + 16} {}
  std::vector<uint8_t> pixels;
  LumaPlane plane;
};

constexpr milliseconds kSample{1764150000123};  // a late-2025 wall clock

}  // namespace

TEST_CASE("a capture stamp reads back what was written") {
  for (auto [w, h] : {std::pair{1280, 720}, {320, 180}, {640, 360}}) {
    Picture picture(w, h);
    for (milliseconds t : {kSample, milliseconds(0), milliseconds((int64_t{1} << 48) - 1)}) {
      REQUIRE(WriteCaptureStamp(picture.plane, t));
      auto read = ReadCaptureStamp(picture.plane);
      REQUIRE(read.ok());
      CHECK(*read == t);
    }
  }
}

TEST_CASE("a capture stamp survives noise on every pixel") {
  Picture picture(320, 180);
  REQUIRE(WriteCaptureStamp(picture.plane, kSample));
  std::mt19937 random(7);
  std::uniform_int_distribution<int> noise(-40, 40);
  for (uint8_t& p : picture.pixels) p = static_cast<uint8_t>(std::clamp(p + noise(random), 0, 255));
  auto read = ReadCaptureStamp(picture.plane);
  REQUIRE(read.ok());
  CHECK(*read == kSample);
}

TEST_CASE("a misread or missing capture stamp is refused, not mis-measured") {
  Picture picture(1280, 720);
  CHECK(ReadCaptureStamp(picture.plane).error().code == "stamp_no_guards");

  REQUIRE(WriteCaptureStamp(picture.plane, kSample));
  // Invert one value block: the checksum no longer matches.
  const int block = CaptureStampBlockSize(1280);
  for (int y = 0; y < block; ++y) {
    uint8_t* b = picture.pixels.data() + y * picture.plane.stride + 10 * block;
    for (int x = 0; x < block; ++x) b[x] = static_cast<uint8_t>(255 - b[x]);
  }
  CHECK(ReadCaptureStamp(picture.plane).error().code == "stamp_checksum");

  Picture tiny(200, 100);
  CHECK(WriteCaptureStamp(tiny.plane, kSample).error().code == "stamp_too_small");
  CHECK(WriteCaptureStamp(picture.plane, milliseconds(-1)).error().code == "stamp_out_of_range");
}

// videotestsrc -> stamp -> x264enc as the program sets it up -> avdec_h264:
// every decoded frame carries the stamp written into it.
TEST_CASE("a capture stamp survives an x264 encode and decode") {
  test::GstOnce();
  for (auto [w, h, kbps] : {std::tuple{1280, 720, 1500}, {320, 180, 250}}) {
    const std::string description = fmt::format(
        "videotestsrc num-buffers=30 pattern=smpte horizontal-speed=2 "
        "! video/x-raw,format=I420,width={},height={},framerate=30/1 ! identity name=stamp "
        "! x264enc tune=zerolatency speed-preset=ultrafast bitrate={} vbv-buf-capacity=1000 "
        "key-int-max=60 ! video/x-h264,profile=constrained-baseline ! avdec_h264 "
        "! video/x-raw,format=I420 ! appsink name=out sync=false max-buffers=100",
        w, h, kbps);
    GstElementPtr pipeline(gst_parse_launch(description.c_str(), nullptr));
    REQUIRE(pipeline);
    gst_object_ref_sink(pipeline.get());
    GstElementPtr stamp(gst_bin_get_by_name(GST_BIN(pipeline.get()), "stamp"));
    GstPadPtr stamp_src(gst_element_get_static_pad(stamp.get(), "src"));
    gst_pad_add_probe(
        stamp_src.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad* pad, GstPadProbeInfo* info, gpointer) {
          GstCapsPtr caps(gst_pad_get_current_caps(pad));
          GstVideoInfo video;
          gst_video_info_from_caps(&video, caps.get());
          GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
          GST_PAD_PROBE_INFO_DATA(info) = buffer;
          GstVideoFrame frame;
          gst_video_frame_map(&frame, &video, buffer, GST_MAP_READWRITE);
          const LumaPlane luma{static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                               video.width, video.height, GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)};
          const auto index = static_cast<int64_t>(GST_BUFFER_OFFSET(buffer));
          (void)WriteCaptureStamp(luma, kSample + milliseconds(33 * index));
          gst_video_frame_unmap(&frame);
          return GST_PAD_PROBE_OK;
        },
        nullptr, nullptr);
    GstElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
    REQUIRE(gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    int frames = 0;
    int matched = 0;
    while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), GST_SECOND * 10)) {
      GstVideoInfo video;
      gst_video_info_from_caps(&video, gst_sample_get_caps(sample));
      GstVideoFrame frame;
      REQUIRE(gst_video_frame_map(&frame, &video, gst_sample_get_buffer(sample), GST_MAP_READ));
      const LumaPlane luma{static_cast<uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                           video.width, video.height, GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)};
      auto read = ReadCaptureStamp(luma);
      gst_video_frame_unmap(&frame);
      gst_sample_unref(sample);
      if (read.ok() && *read == kSample + milliseconds(33 * frames)) ++matched;
      ++frames;
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    INFO(w << "x" << h);
    CHECK(frames == 30);
    CHECK(matched == frames);
  }
}

}  // namespace bridgecast::media
