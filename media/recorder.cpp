#include "media/recorder.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <initializer_list>
#include <utility>
#include <vector>

#include "media/bus_error.hpp"
#include "media/gst_ptr.hpp"
#include "media/segment_file.hpp"
#include "media/ts_segmenter.hpp"

// The recording branch's bin: a GstBin whose handle_message sees every message
// of its children first, on the posting thread. It keeps errors (and the
// fragment and EOS messages) away from the program's bus, where an error means
// "the broadcast is down".
struct BridgecastRecorderBin {
  GstBin parent;
  bridgecast::media::Recorder::Hooks* hooks;
};
struct BridgecastRecorderBinClass {
  GstBinClass parent_class;
};

namespace bridgecast::media {
namespace {

// The running time of a PES timestamp. mpegtsmux writes PTS = running time +
// 3600 s (its TS_MUX_CLOCK_BASE) on the 33-bit 90 kHz clock; the wrap (every
// ~26.5 h) is resolved against `near`, the muxer's output time, which trails
// the pictures by the branch's latency (0.1-0.3 s: the wrong clock for the
// segment's wall-clock start).
GstClockTime PesRunningTime(std::uint64_t pts, GstClockTime near) {
  constexpr std::uint64_t kClockBase = 3600ULL * 90000;
  constexpr std::uint64_t kWrap = 1ULL << 33;
  if (!GST_CLOCK_TIME_IS_VALID(near)) return GST_CLOCK_TIME_NONE;
  const std::uint64_t near_ticks = gst_util_uint64_scale(near, 90000, GST_SECOND) + kClockBase;
  std::uint64_t ticks = (near_ticks / kWrap) * kWrap + pts;
  // Of the candidates one wrap apart, the one nearest the muxer's time.
  if (ticks > near_ticks + kWrap / 2) ticks -= kWrap;
  if (ticks + kWrap / 2 < near_ticks) ticks += kWrap;
  if (ticks < kClockBase) return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale(ticks - kClockBase, GST_SECOND, 90000);
}

}  // namespace

// Shared between the recorder (main loop) and the bin's streaming threads.
// The segment writer is used only by the appsink's streaming thread.
struct Recorder::Hooks {
  Hooks(std::weak_ptr<char> w, Recorder* r, const RecorderConfig& config)
      : watch(std::move(w)),
        recorder(r),
        directory(config.directory),
        run(config.run),
        segmenter(config.max_segment) {}

  std::weak_ptr<char> watch;
  Recorder* recorder;
  std::atomic<bool> failed{false};
  const std::string directory;
  const unsigned run;
  TsSegmenter segmenter;
  std::optional<SegmentFile> file;
  unsigned next_seq = 0;

  void Fail(std::string message) {
    if (failed.exchange(true)) return;
    Recorder* r = recorder;
    PostIfAlive(watch, [r, message = std::move(message)] { r->OnFailed(message); });
  }

  // Writes the muxer's output as it comes; a keyframe after max_segment
  // closes the segment and opens the next, which starts with it.
  void Write(std::span<const std::uint8_t> bytes, GstClockTime running_time) {
    auto actions = segmenter.Push(bytes);
    if (!actions) return Fail(actions.error().message);
    for (const TsAction& action : *actions) {
      Status written = Ok{};
      if (const auto* cut = std::get_if<TsCut>(&action)) {
        if (file) written = CloseSegment(cut->ended.value_or(std::chrono::milliseconds(0)));
        if (written) written = OpenSegment(PesRunningTime(cut->pts, running_time));
        if (written) written = file->Write(cut->head);
      } else if (file) {
        written = file->Write(std::get<TsWrite>(action).bytes);
      }
      if (!written) return Fail(written.error().message);
    }
  }

  // End of stream: the open segment is complete; then the recorder is drained.
  void Finish() {
    if (file && !failed) {
      if (Status closed = CloseSegment(segmenter.open_duration()); !closed) {
        return Fail(closed.error().message);
      }
    }
    Recorder* r = recorder;
    PostIfAlive(watch, [r] { r->OnDrained(); });
  }

  Status OpenSegment(GstClockTime running_time) {
    const std::string name = SegmentName{run, next_seq++}.ToString();
    auto created = SegmentFile::Create(directory + "/" + name);
    if (!created) return created.error();
    file.emplace(std::move(*created));
    Recorder* r = recorder;
    PostIfAlive(watch, [r, name, running_time] { r->OnSegmentOpened(name, running_time); });
    return Ok{};
  }

  Status CloseSegment(std::chrono::milliseconds duration) {
    const std::uint64_t size = file->bytes();
    const std::string name = std::filesystem::path(file->path()).filename().string();
    Status closed = file->Close();
    file.reset();
    if (!closed) return closed;
    Recorder* r = recorder;
    PostIfAlive(watch, [r, name, duration, size] { r->OnSegmentClosed(name, duration, size); });
    return Ok{};
  }

  // True when the message is consumed here.
  bool OnMessage(GstMessage* message) {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR:
        Fail(BusErrorText(message));
        return true;
      case GST_MESSAGE_EOS:
        return true;  // the appsink's eos callback has finished the segment
      default:
        return false;
    }
  }
};

}  // namespace bridgecast::media

G_DEFINE_TYPE(BridgecastRecorderBin, bridgecast_recorder_bin, GST_TYPE_BIN)

static void bridgecast_recorder_bin_handle_message(GstBin* bin, GstMessage* message) {
  auto* self = reinterpret_cast<BridgecastRecorderBin*>(bin);
  if (self->hooks && self->hooks->OnMessage(message)) {
    gst_message_unref(message);
    return;
  }
  GST_BIN_CLASS(bridgecast_recorder_bin_parent_class)->handle_message(bin, message);
}

static void bridgecast_recorder_bin_finalize(GObject* object) {
  delete reinterpret_cast<BridgecastRecorderBin*>(object)->hooks;
  G_OBJECT_CLASS(bridgecast_recorder_bin_parent_class)->finalize(object);
}

static void bridgecast_recorder_bin_class_init(BridgecastRecorderBinClass* klass) {
  GST_BIN_CLASS(klass)->handle_message = bridgecast_recorder_bin_handle_message;
  G_OBJECT_CLASS(klass)->finalize = bridgecast_recorder_bin_finalize;
}

static void bridgecast_recorder_bin_init(BridgecastRecorderBin* self) { self->hooks = nullptr; }

namespace bridgecast::media {
namespace {

// How long a stop may take to close the last segment before it is cut.
constexpr guint kDrainTimeoutMs = 5000;

Recorder::Hooks* HooksOf(GstObject* bin) {
  return reinterpret_cast<BridgecastRecorderBin*>(bin)->hooks;
}

// A failed or stopped branch must never fail the tee (a tee stops the whole
// program on a fatal flow from any branch): the ghost pads swallow it.
GstFlowReturn Guard(GstObject* bin, GstFlowReturn flow) {
  if (flow == GST_FLOW_OK) return flow;
  if (flow != GST_FLOW_FLUSHING && flow != GST_FLOW_EOS) {
    HooksOf(bin)->Fail(fmt::format("recording stopped: data flow {}", gst_flow_get_name(flow)));
  }
  return GST_FLOW_OK;
}

GstFlowReturn GuardedChain(GstPad* pad, GstObject* bin, GstBuffer* buffer) {
  if (HooksOf(bin)->failed) {
    gst_buffer_unref(buffer);
    return GST_FLOW_OK;
  }
  return Guard(bin, gst_proxy_pad_chain_default(pad, bin, buffer));
}

GstFlowReturn GuardedChainList(GstPad* pad, GstObject* bin, GstBufferList* list) {
  if (HooksOf(bin)->failed) {
    gst_buffer_list_unref(list);
    return GST_FLOW_OK;
  }
  return Guard(bin, gst_proxy_pad_chain_list_default(pad, bin, list));
}

using Properties = std::initializer_list<std::pair<const char*, const char*>>;

GstElement* Add(GstBin* bin, const char* factory, Properties properties = {}) {
  GstElementPtr element = MakeElement(factory);
  if (!element) return nullptr;
  for (const auto& [name, value] : properties) {
    gst_util_set_object_arg(G_OBJECT(element.get()), name, value);
  }
  return AddToBin(bin, std::move(element));
}

GstFlowReturn OnMuxedSample(GstAppSink* sink, gpointer data) {
  auto* hooks = static_cast<Recorder::Hooks*>(data);
  GstSamplePtr sample(gst_app_sink_pull_sample(sink));
  if (!sample || hooks->failed) return GST_FLOW_OK;
  GstBuffer* buffer = gst_sample_get_buffer(sample.get());
  GstMapInfo map;
  if (!buffer || !gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_FLOW_OK;
  const GstClockTime running_time = gst_segment_to_running_time(
      gst_sample_get_segment(sample.get()), GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  hooks->Write({map.data, map.size}, running_time);
  gst_buffer_unmap(buffer, &map);
  return GST_FLOW_OK;
}

void OnMuxedEos(GstAppSink*, gpointer data) { static_cast<Recorder::Hooks*>(data)->Finish(); }

// Unlinks the tee pads between two buffers, then (main loop) releases them.
struct Detacher {
  std::vector<std::pair<GstElement*, GstPad*>> tee_pads;
  size_t unlinked = 0;
  std::function<void()> then;

  static void Start(std::shared_ptr<Detacher> d) {
    for (auto& [tee, pad] : d->tee_pads) {
      gst_pad_add_probe(
          pad, GST_PAD_PROBE_TYPE_IDLE,
          [](GstPad* tee_pad, GstPadProbeInfo*, gpointer data) -> GstPadProbeReturn {
            if (GstPad* peer = gst_pad_get_peer(tee_pad)) {
              gst_pad_unlink(tee_pad, peer);
              gst_object_unref(peer);
            }
            auto self = *static_cast<std::shared_ptr<Detacher>*>(data);
            PostToMainLoop([self] {
              if (++self->unlinked < self->tee_pads.size()) return;
              for (auto& [t, p] : self->tee_pads) {
                gst_element_release_request_pad(t, p);
                gst_object_unref(p);
              }
              self->then();
            });
            return GST_PAD_PROBE_REMOVE;
          },
          new std::shared_ptr<Detacher>(d),
          [](gpointer data) { delete static_cast<std::shared_ptr<Detacher>*>(data); });
    }
  }
};

// Stops the bin and takes it out of the pipeline. Main loop.
void RemoveBin(GstElement* pipeline, GstElement* bin) {
  gst_element_set_locked_state(bin, TRUE);
  gst_element_set_state(bin, GST_STATE_NULL);
  gst_bin_remove(GST_BIN(pipeline), bin);
}

}  // namespace

// The bin in the pipeline, shared with the detach tasks that may outlive the
// recorder. A bin still linked to a tee is never stopped: the tee would get
// FLUSHING from it and stop the program.
struct Recorder::Branch {
  Branch(GstElement* pipeline_element, GstElement* bin_element)
      : pipeline(GST_ELEMENT(gst_object_ref(pipeline_element))), bin(bin_element) {}
  Branch(const Branch&) = delete;
  Branch& operator=(const Branch&) = delete;

  GstElement* pipeline;  // a reference of our own
  GstElement* bin;
  bool unlinked = false;
  bool remove_requested = false;
  bool removed = false;

  ~Branch() { gst_object_unref(pipeline); }
  void Remove() {
    remove_requested = true;
    if (!unlinked || removed) return;
    removed = true;
    RemoveBin(pipeline, bin);
  }
};

Recorder::Recorder(Program& program, const RecorderConfig& config, Listener& listener)
    : program_(program), config_(config), listener_(listener) {}

Result<std::unique_ptr<Recorder>> Recorder::Start(Program& program, const RecorderConfig& config,
                                                  Listener& listener) {
  std::unique_ptr<Recorder> recorder(new Recorder(program, config, listener));
  if (Status built = recorder->Build(); !built) return built.error();
  spdlog::info("recorder: run {} into {}", config.run, config.directory);
  return recorder;
}

Status Recorder::Build() {
  std::error_code ec;
  if (!std::filesystem::is_directory(config_.directory, ec)) {
    return Error{"archive_unwritable", "archive directory " + config_.directory + " is missing"};
  }
  GstElement* bin_element = GST_ELEMENT(g_object_new(bridgecast_recorder_bin_get_type(), "name",
                                                     fmt::format("recorder-{}", config_.run).c_str(),
                                                     nullptr));
  gst_object_ref_sink(bin_element);
  GstElementPtr owned_bin(bin_element);
  auto* hooks = new Hooks(lifetime_.Watch(), this, config_);
  reinterpret_cast<BridgecastRecorderBin*>(bin_element)->hooks = hooks;
  GstBin* bin = GST_BIN(bin_element);

  // About two seconds of packets: if the disk stalls, old ones are dropped here.
  GstElement* vqueue = Add(bin, "queue", {{"leaky", "downstream"}, {"max-size-buffers", "0"},
                                          {"max-size-bytes", "0"}, {"max-size-time", "2000000000"}});
  GstElement* vdepay = Add(bin, "rtph264depay", {{"wait-for-keyframe", "true"},
                                                 {"request-keyframe", "true"}});
  // Whole access units straight from the depayloader (which assembles them by
  // RTP marker and timestamp): the two slices x264 makes of a picture are one
  // PES, one picture, one timestamp. (h264parse's own NAL-to-AU assembly split
  // each IDR in two.) SPS/PPS come with every IDR from the payloader.
  GstElement* vcaps = Add(bin, "capsfilter");
  GstElement* vparse = Add(bin, "h264parse");
  GstElement* aqueue = Add(bin, "queue", {{"leaky", "downstream"}, {"max-size-buffers", "0"},
                                          {"max-size-bytes", "0"}, {"max-size-time", "2000000000"}});
  GstElement* adepay = Add(bin, "rtpopusdepay");
  GstElement* adec = Add(bin, "opusdec");
  GstElement* aconv = Add(bin, "audioconvert");
  GstElement* ares = Add(bin, "audioresample");
  GstElement* aenc = Add(bin, "avenc_aac", {{"bitrate", "96000"}});
  GstElement* aparse = Add(bin, "aacparse");
  // Seven packets (1316 bytes) per write: a few ms of media, 7x fewer syscalls.
  GstElement* mux = Add(bin, "mpegtsmux", {{"alignment", "7"}});
  GstElement* sink = Add(bin, "appsink", {{"sync", "false"}, {"async", "false"},
                                          {"enable-last-sample", "false"}});
  if (!vqueue || !vdepay || !vparse || !vcaps || !aqueue || !adepay || !adec || !aconv || !ares ||
      !aenc || !aparse || !mux || !sink) {
    return Error{"media_failed", "a recording element is missing (gstreamer1.0-libav, -good, "
                                 "-bad plugins)"};
  }
  GstCapsPtr au(gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
  g_object_set(vcaps, "caps", au.get(), nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.eos = &OnMuxedEos;
  callbacks.new_sample = &OnMuxedSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, hooks, nullptr);

  if (!gst_element_link_many(vqueue, vdepay, vcaps, vparse, mux, nullptr) ||
      !gst_element_link_many(aqueue, adepay, adec, aconv, ares, aenc, aparse, mux, nullptr) ||
      !gst_element_link(mux, sink)) {
    return Error{"media_failed", "cannot link the recording branch"};
  }

  GstPad* ghosts[2] = {};
  for (auto [i, queue, name] : {std::tuple{0, vqueue, "video"}, std::tuple{1, aqueue, "audio"}}) {
    GstPadPtr target(gst_element_get_static_pad(queue, "sink"));
    ghosts[i] = gst_ghost_pad_new(name, target.get());
    gst_pad_set_chain_function(ghosts[i], GuardedChain);
    gst_pad_set_chain_list_function(ghosts[i], GuardedChainList);
    gst_element_add_pad(bin_element, ghosts[i]);
  }

  GstElement* added = AddToBin(GST_BIN(program_.pipeline()), std::move(owned_bin));
  if (!added) return Error{"media_failed", "a recorder for this run already exists"};
  branch_ = std::make_shared<Branch>(program_.pipeline(), added);
  if (!gst_element_sync_state_with_parent(added)) {
    branch_->unlinked = true;
    branch_->Remove();
    detached_ = true;
    return Error{"archive_unwritable", "the recording branch did not start"};
  }
  video_tee_pad_ = gst_element_request_pad_simple(program_.video_tee(), "src_%u");
  audio_tee_pad_ = gst_element_request_pad_simple(program_.audio_tee(), "src_%u");
  if (!video_tee_pad_ || !audio_tee_pad_ ||
      gst_pad_link(video_tee_pad_, ghosts[0]) != GST_PAD_LINK_OK ||
      gst_pad_link(audio_tee_pad_, ghosts[1]) != GST_PAD_LINK_OK) {
    return Error{"media_failed", "cannot link the program to the recorder"};
  }
  // Segments start at a keyframe: don't wait for the regular one.
  program_.RequestKeyframe();
  return Ok{};
}

Recorder::~Recorder() {
  if (drain_timer_) g_source_remove(drain_timer_);
  if (!detached_) Detach();
  if (branch_) branch_->Remove();
}

void Recorder::Detach() {
  detached_ = true;
  if (!branch_) return;
  auto detacher = std::make_shared<Detacher>();
  for (auto [tee, pad] : {std::pair{program_.video_tee(), video_tee_pad_},
                          std::pair{program_.audio_tee(), audio_tee_pad_}}) {
    if (pad) detacher->tee_pads.emplace_back(tee, pad);
  }
  video_tee_pad_ = audio_tee_pad_ = nullptr;
  std::shared_ptr<Branch> branch = branch_;
  detacher->then = [branch] {
    branch->unlinked = true;
    if (branch->remove_requested) {
      branch->Remove();
      return;
    }
    // Stopping: drain, so the writer closes the open segment.
    for (const char* name : {"video", "audio"}) {
      GstPadPtr ghost(gst_element_get_static_pad(branch->bin, name));
      gst_pad_send_event(ghost.get(), gst_event_new_eos());
    }
  };
  if (detacher->tee_pads.empty()) {
    detacher->then();
  } else {
    Detacher::Start(std::move(detacher));
  }
}

void Recorder::Stop() {
  if (detached_) return;
  stopping_ = true;
  Detach();
  drain_timer_ = g_timeout_add(
      kDrainTimeoutMs,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<Recorder*>(data);
        self->drain_timer_ = 0;
        spdlog::warn("recorder: the last segment did not close in time; cut");
        self->OnDrained();
        return G_SOURCE_REMOVE;
      },
      this);
}

void Recorder::OnDrained() {
  if (!stopping_ || !branch_ || branch_->remove_requested) return;
  if (drain_timer_) g_source_remove(drain_timer_);
  drain_timer_ = 0;
  branch_->Remove();
  listener_.OnRecorderStopped();
}

void Recorder::OnSegmentOpened(const std::string& file, GstClockTime running_time) {
  auto name = SegmentName::Parse(file);
  if (!name) return;
  current_ = RecorderSegment{name->run, name->seq, file, WallTimeAt(program_.pipeline(), running_time)};
  listener_.OnRecorderSegmentOpened(*current_);
}

void Recorder::OnSegmentClosed(const std::string& file, std::chrono::milliseconds duration,
                               std::uint64_t bytes) {
  if (!current_ || current_->file != file) return;
  RecorderSegment closed = *current_;
  current_.reset();
  closed.duration = duration;
  closed.bytes = bytes;
  listener_.OnRecorderSegmentClosed(closed);
}

void Recorder::OnFailed(const std::string& message) {
  spdlog::error("recorder: {}", message);
  if (!detached_) Detach();
  if (branch_) branch_->Remove();
  if (drain_timer_) g_source_remove(drain_timer_);
  drain_timer_ = 0;
  listener_.OnRecorderFailed(message);
}

}  // namespace bridgecast::media
