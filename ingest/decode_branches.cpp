#include "ingest/decode_branches.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <gst/app/gstappsink.h>

#include "media/gst_ptr.hpp"

namespace bridgecast::ingest {
namespace {

GstFlowReturn OnVideoSample(GstAppSink* sink, gpointer data) {
  media::GstSamplePtr sample(gst_app_sink_pull_sample(sink));
  if (sample) static_cast<SourceFeed*>(data)->PushVideo(sample.get());
  return GST_FLOW_OK;
}

GstFlowReturn OnAudioSample(GstAppSink* sink, gpointer data) {
  media::GstSamplePtr sample(gst_app_sink_pull_sample(sink));
  if (sample) static_cast<SourceFeed*>(data)->PushAudio(sample.get());
  return GST_FLOW_OK;
}

// A live sender is never waited for (its oldest pictures go instead); a file
// (`sync`) is read at the pace the clock plays it.
std::string_view Leaky(bool sync) { return sync ? "no" : "downstream"; }

}  // namespace

std::string VideoBranch(const media::ProgramConfig& p, bool sync) {
  // Frames beyond the program's rate are dropped before they are scaled.
  return fmt::format(
      "queue max-size-buffers=3 max-size-bytes=0 max-size-time=0 leaky={leaky} "
      "! videorate name=rate drop-only=true max-rate={fps} ! videoscale add-borders=true ! videoconvert "
      "! video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1 "
      "! appsink name=video sync={sync} async=false max-buffers=2 drop=true",
      fmt::arg("fps", p.fps), fmt::arg("w", p.width), fmt::arg("h", p.height),
      fmt::arg("sync", sync), fmt::arg("leaky", Leaky(sync)));
}

std::string AudioBranch(bool sync) {
  return fmt::format(
      "queue max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 leaky={leaky} "
      "! audioconvert ! audioresample "
      "! audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
      "! appsink name=audio sync={sync} async=false max-buffers=50 drop=true",
      fmt::arg("sync", sync), fmt::arg("leaky", Leaky(sync)));
}

void InputDescription::SetCodecs(const std::string& video, const std::string& audio) {
  std::lock_guard lock(mutex_);
  if (!video.empty()) video_ = video;
  if (!audio.empty()) audio_ = audio;
}

void InputDescription::SetSize(const GstStructure* s) {
  int width = 0, height = 0, num = 0, den = 1;
  gst_structure_get_int(s, "width", &width);
  gst_structure_get_int(s, "height", &height);
  gst_structure_get_fraction(s, "framerate", &num, &den);
  std::lock_guard lock(mutex_);
  size_ = num > 0 ? fmt::format("{}x{} {:.4g} fps", width, height, static_cast<double>(num) / den)
                  : fmt::format("{}x{}", width, height);
}

void InputDescription::Clear() {
  std::lock_guard lock(mutex_);
  size_.clear();
  video_.clear();
  audio_.clear();
}

std::string InputDescription::Text() const {
  std::lock_guard lock(mutex_);
  if (video_.empty() && audio_.empty()) return {};
  std::string out = size_;
  if (!video_.empty()) out += (out.empty() ? "" : " ") + video_;
  if (!audio_.empty()) out += (out.empty() ? "" : ", ") + audio_;
  return out;
}

void ConnectFeed(GstElement* pipeline, SourceFeed& feed) {
  GstClock* clock = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock);
  gst_object_unref(clock);
  GstBin* bin = GST_BIN(pipeline);
  // A browser's pictures (WebRTC: framerate 0/1) come without a duration,
  // which videorate 1.22 asserts on (abort) when it cannot take one from the
  // next picture. Every picture gets one frame of the program's rate.
  // (The test pattern has no videorate: it makes the program's rate.)
  media::GstElementPtr rate(gst_bin_get_by_name(bin, "rate"));
  media::GstPadPtr rate_sink(rate ? gst_element_get_static_pad(rate.get(), "sink") : nullptr);
  if (rate_sink) {
    gst_pad_add_probe(
        rate_sink.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
          if (GST_BUFFER_DURATION_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
          buffer = gst_buffer_make_writable(buffer);
          GST_BUFFER_DURATION(buffer) = GST_SECOND / GPOINTER_TO_UINT(data);
          GST_PAD_PROBE_INFO_DATA(info) = buffer;
          return GST_PAD_PROBE_OK;
        },
        GUINT_TO_POINTER(std::max(1, feed.fps())), nullptr);
  }
  media::GstElementPtr video(gst_bin_get_by_name(bin, "video"));
  media::GstElementPtr audio(gst_bin_get_by_name(bin, "audio"));
  GstAppSinkCallbacks video_callbacks{};
  video_callbacks.new_sample = &OnVideoSample;
  // The pictures' end is the source's end: a file without sound never
  // brings its (unlinked) sound branch to EOS, so the pipeline never would.
  video_callbacks.eos = [](GstAppSink* sink, gpointer) {
    gst_element_post_message(GST_ELEMENT(sink),
                             gst_message_new_application(GST_OBJECT(sink),
                                                         gst_structure_new_empty("video-eos")));
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(video.get()), &video_callbacks, &feed, nullptr);
  GstAppSinkCallbacks audio_callbacks{};
  audio_callbacks.new_sample = &OnAudioSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(audio.get()), &audio_callbacks, &feed, nullptr);
}

void DisconnectFeed(GstElement* pipeline) {
  GstAppSinkCallbacks none{};
  for (const char* name : {"video", "audio"}) {
    media::GstElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline), name));
    if (sink) gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &none, nullptr, nullptr);
  }
}

}  // namespace bridgecast::ingest
