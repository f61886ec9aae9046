#include "media/media_probe.hpp"

#include <gst/pbutils/pbutils.h>

#include <filesystem>

#include "media/gst_ptr.hpp"

namespace bridgecast::media {
namespace {

std::string CodecOf(GstDiscovererStreamInfo* stream) {
  GstCapsPtr caps(gst_discoverer_stream_info_get_caps(stream));
  if (!caps || gst_caps_is_empty(caps.get())) return {};
  return gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
}

struct PtsRange {
  GstClockTime first = GST_CLOCK_TIME_NONE;
  GstClockTime last = GST_CLOCK_TIME_NONE;
  guint64 frames = 0;
};

// tsdemux reports no duration for short segments cut from a live stream, so
// the duration comes from the video timestamps: last - first + one frame.
std::chrono::milliseconds TsVideoDuration(const std::string& path, std::chrono::seconds timeout) {
  GError* raw = nullptr;
  GstElementPtr pipeline(gst_parse_launch(
      "filesrc name=src ! tsdemux name=demux demux. ! video/x-h264 ! "
      "fakesink name=sink sync=false async=false",
      &raw));
  GErrorPtr error(raw);
  if (!pipeline) return std::chrono::milliseconds(0);
  gst_object_ref_sink(pipeline.get());
  GstElementPtr src(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  GstElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  g_object_set(src.get(), "location", path.c_str(), nullptr);
  PtsRange range;
  GstPadPtr pad(gst_element_get_static_pad(sink.get(), "sink"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* r = static_cast<PtsRange*>(data);
        const GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
        if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_PAD_PROBE_OK;
        if (!GST_CLOCK_TIME_IS_VALID(r->first) || pts < r->first) r->first = pts;
        if (!GST_CLOCK_TIME_IS_VALID(r->last) || pts > r->last) r->last = pts;
        ++r->frames;
        return GST_PAD_PROBE_OK;
      },
      &range, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  GstBusPtr bus(gst_element_get_bus(pipeline.get()));
  GstMessage* done = gst_bus_timed_pop_filtered(
      bus.get(), static_cast<GstClockTime>(std::chrono::nanoseconds(timeout).count()),
      static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (done) gst_message_unref(done);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (range.frames < 2) return std::chrono::milliseconds(0);
  const GstClockTime span = range.last - range.first;
  const GstClockTime frame = span / (range.frames - 1);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::nanoseconds(span + frame));
}

}  // namespace

Result<MediaInfo> ProbeMedia(const std::string& path, std::chrono::seconds timeout) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec || !std::filesystem::is_regular_file(absolute, ec)) {
    return Error{"media_unreadable", path + " is not a file"};
  }
  GError* raw = nullptr;
  GstObjectPtr<GstDiscoverer> discoverer(gst_discoverer_new(
      static_cast<GstClockTime>(std::chrono::nanoseconds(timeout).count()), &raw));
  GErrorPtr error(raw);
  if (!discoverer) {
    return Error{"media_unreadable", std::string("no discoverer: ") +
                                         (error ? error->message : "unknown")};
  }
  GCharPtr uri(gst_filename_to_uri(absolute.c_str(), nullptr));
  GstObjectPtr<GstDiscovererInfo> info(
      gst_discoverer_discover_uri(discoverer.get(), uri.get(), &raw));
  error.reset(raw);
  if (!info || gst_discoverer_info_get_result(info.get()) != GST_DISCOVERER_OK) {
    return Error{"media_unreadable",
                 path + ": " + (error ? error->message : "does not decode")};
  }
  MediaInfo out;
  out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::nanoseconds(gst_discoverer_info_get_duration(info.get())));
  GList* videos = gst_discoverer_info_get_video_streams(info.get());
  GList* audios = gst_discoverer_info_get_audio_streams(info.get());
  out.video = videos != nullptr;
  out.audio = audios != nullptr;
  if (videos) out.video_codec = CodecOf(GST_DISCOVERER_STREAM_INFO(videos->data));
  if (audios) out.audio_codec = CodecOf(GST_DISCOVERER_STREAM_INFO(audios->data));
  gst_discoverer_stream_info_list_free(videos);
  gst_discoverer_stream_info_list_free(audios);
  if (out.duration <= std::chrono::milliseconds(0) && out.video_codec == "video/x-h264") {
    out.duration = TsVideoDuration(absolute.string(), timeout);
  }
  return out;
}

}  // namespace bridgecast::media
