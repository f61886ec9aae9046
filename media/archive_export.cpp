#include "media/archive_export.hpp"

#include <gst/app/gstappsrc.h>

#include <fstream>
#include <memory>

#include "media/bus_error.hpp"
#include "media/gst_ptr.hpp"

namespace bridgecast::media {
namespace {

constexpr size_t kChunk = 64 * 1024;

Error Failed(std::string message) { return Error{"export_failed", std::move(message)}; }

// Feeds one run's segment files, in order, into an appsrc as one byte stream.
struct RunFeed {
  std::vector<std::string> files;
  size_t next = 0;
  std::ifstream in;

  static void NeedData(GstAppSrc* src, guint, gpointer data) {
    auto* feed = static_cast<RunFeed*>(data);
    while (true) {
      if (!feed->in.is_open()) {
        if (feed->next == feed->files.size()) {
          gst_app_src_end_of_stream(src);
          return;
        }
        feed->in.open(feed->files[feed->next++], std::ios::binary);
        if (!feed->in) continue;  // a missing file: the next one
      }
      GstBuffer* buffer = gst_buffer_new_allocate(nullptr, kChunk, nullptr);
      GstMapInfo map;
      gst_buffer_map(buffer, &map, GST_MAP_WRITE);
      feed->in.read(reinterpret_cast<char*>(map.data), kChunk);
      const auto got = static_cast<gsize>(feed->in.gcount());
      gst_buffer_unmap(buffer, &map);
      if (got == 0) {
        gst_buffer_unref(buffer);
        feed->in.close();
        feed->in.clear();
        continue;
      }
      gst_buffer_set_size(buffer, got);
      gst_app_src_push_buffer(src, buffer);
      return;
    }
  }
};

// The parser chains a run's demuxer links to, by the caps' media type.
struct RunLinks {
  GstElement* video_parser;
  GstElement* audio_parser;

  static void PadAdded(GstElement*, GstPad* pad, gpointer data) {
    auto* links = static_cast<RunLinks*>(data);
    GstCapsPtr caps(gst_pad_query_caps(pad, nullptr));
    if (!caps || gst_caps_is_empty(caps.get())) return;
    const std::string type = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
    GstElement* parser = type == "video/x-h264"  ? links->video_parser
                         : type == "audio/mpeg" ? links->audio_parser
                                                 : nullptr;
    if (!parser) return;
    GstPadPtr sink(gst_element_get_static_pad(parser, "sink"));
    if (!gst_pad_is_linked(sink.get())) gst_pad_link(pad, sink.get());
  }
};

GstElement* Add(GstBin* bin, const char* factory) { return AddToBin(bin, MakeElement(factory)); }

// A PES may carry two access units and tsdemux stamps only the first; the
// program is constrained-baseline (no B-frames), so PTS = DTS is exact.
GstPadProbeReturn FillPts(GstPad*, GstPadProbeInfo* info, gpointer) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
  if (!GST_BUFFER_DTS_IS_VALID(buffer)) return GST_PAD_PROBE_DROP;
  buffer = gst_buffer_make_writable(buffer);
  GST_BUFFER_PTS(buffer) = GST_BUFFER_DTS(buffer);
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  return GST_PAD_PROBE_OK;
}

}  // namespace

Status ExportMp4(const std::vector<std::vector<std::string>>& runs, const std::string& out_path,
                 std::chrono::seconds timeout) {
  if (runs.empty()) return Failed("nothing to export");
  GstElementPtr pipeline(gst_pipeline_new("export"));
  gst_object_ref_sink(pipeline.get());
  GstBin* bin = GST_BIN(pipeline.get());
  GstElement* video_concat = Add(bin, "concat");
  GstElement* audio_concat = Add(bin, "concat");
  GstElement* mux = Add(bin, "mp4mux");
  GstElement* sink = Add(bin, "filesink");
  if (!video_concat || !audio_concat || !mux || !sink) {
    return Failed("concat, mp4mux or filesink is missing");
  }
  g_object_set(sink, "location", out_path.c_str(), nullptr);
  // By name: a plain link could give the video concat the muxer's audio pad.
  if (!gst_element_link_pads(video_concat, "src", mux, "video_%u") ||
      !gst_element_link_pads(audio_concat, "src", mux, "audio_%u") ||
      !gst_element_link(mux, sink)) {
    return Failed("cannot link the muxer");
  }
  std::vector<std::unique_ptr<RunFeed>> feeds;
  std::vector<std::unique_ptr<RunLinks>> links;
  for (const std::vector<std::string>& files : runs) {
    GstElement* src = Add(bin, "appsrc");
    GstElement* demux = Add(bin, "tsdemux");
    GstElement* vparse = Add(bin, "h264parse");
    GstElement* aparse = Add(bin, "aacparse");
    GstElement* vqueue = Add(bin, "queue");
    GstElement* aqueue = Add(bin, "queue");
    if (!src || !demux || !vparse || !aparse || !vqueue || !aqueue) {
      return Failed("tsdemux or a parser is missing");
    }
    GstCapsPtr caps(gst_caps_from_string("video/mpegts,systemstream=true,packetsize=188"));
    g_object_set(src, "caps", caps.get(), "format", GST_FORMAT_BYTES, nullptr);
    feeds.push_back(std::make_unique<RunFeed>());
    feeds.back()->files = files;
    GstAppSrcCallbacks callbacks{};
    callbacks.need_data = &RunFeed::NeedData;
    gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, feeds.back().get(), nullptr);
    links.push_back(std::make_unique<RunLinks>(RunLinks{vparse, aparse}));
    g_signal_connect(demux, "pad-added", G_CALLBACK(&RunLinks::PadAdded), links.back().get());
    // concat plays its sink pads in the order they were requested.
    GstPadPtr vconcat(gst_element_request_pad_simple(video_concat, "sink_%u"));
    GstPadPtr aconcat(gst_element_request_pad_simple(audio_concat, "sink_%u"));
    GstPadPtr vparse_src(gst_element_get_static_pad(vparse, "src"));
    gst_pad_add_probe(vparse_src.get(), GST_PAD_PROBE_TYPE_BUFFER, &FillPts, nullptr, nullptr);
    GstPadPtr vq_src(gst_element_get_static_pad(vqueue, "src"));
    GstPadPtr aq_src(gst_element_get_static_pad(aqueue, "src"));
    if (!gst_element_link(src, demux) || !gst_element_link(vparse, vqueue) ||
        !gst_element_link(aparse, aqueue) ||
        gst_pad_link(vq_src.get(), vconcat.get()) != GST_PAD_LINK_OK ||
        gst_pad_link(aq_src.get(), aconcat.get()) != GST_PAD_LINK_OK) {
      return Failed("cannot link a run");
    }
  }
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    return Failed("the export pipeline did not start");
  }
  GstBusPtr bus(gst_element_get_bus(pipeline.get()));
  GstMessage* done = gst_bus_timed_pop_filtered(
      bus.get(), static_cast<GstClockTime>(std::chrono::nanoseconds(timeout).count()),
      static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::string error;
  if (!done) {
    error = "timed out";
  } else if (GST_MESSAGE_TYPE(done) == GST_MESSAGE_ERROR) {
    error = BusErrorText(done);
  }
  if (done) gst_message_unref(done);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (!error.empty()) return Failed(error);
  return Ok{};
}

}  // namespace bridgecast::media
