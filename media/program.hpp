#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "media/encoded_splicer.hpp"
#include "media/gst_ptr.hpp"
#include "media/keyframe_throttle.hpp"
#include "media/main_loop.hpp"
#include "media/program_config.hpp"

namespace bridgecast::media {

// A place in the program's picture, in pixels.
struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// The floor on air: where the speaker's picture and the hall's go, and the
// speaker's name over the picture (docs/floor.md).
struct FloorView {
  bool speaker_visible = false;
  Rect speaker;
  Rect hall;
  bool hall_above = false;  // the hall as picture-in-picture over the speaker
  std::string caption;
};

// RTP caps of the shared program streams, also used as codec preferences.
GstCapsPtr ProgramVideoRtpCaps();
GstCapsPtr ProgramAudioRtpCaps();

// The program: a video compositor and an audio mixer whose inputs are the
// ingest sources (appsrcs fed with raw pictures and samples), over a slate and
// silence that always run; encoded once (H.264 constrained-baseline + Opus),
// payloaded once, and fanned out through one tee per stream. Point sessions
// attach branches to the tees. The mixers run on the clock whatever the
// inputs do, so the points never miss a frame when a source fails.
//
// The floor's speaker is one more input: its picture is laid out with the
// hall's (FloorView) and its sound joins the hall's mix in a second mixer, so
// the hall's mix alone (the speaker's mix-minus) and the speaker's sound alone
// (the hall's return) can be tapped.
class Program {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The pipeline failed; the broadcast is down.
    virtual void OnProgramError(const std::string& message) = 0;
  };

  static Result<std::unique_ptr<Program>> Create(const ProgramConfig& config, Listener& listener,
                                                 const Clock& clock);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // A source's way into the program: appsrcs for raw I420 pictures at the
  // program's size and F32 stereo samples at 48 kHz, timestamped in the
  // program's running time. Owned by the pipeline.
  struct Input {
    std::string id;
    GstElement* video = nullptr;
    GstElement* audio = nullptr;
    GstPad* video_pad = nullptr;  // the compositor's pad
  };
  // How far ahead of the mixers' deadline an input's buffers must arrive.
  static constexpr std::chrono::milliseconds kInputLatency{100};

  // Adds an input, hidden; before Start only. Null if the id is taken.
  Input* AddInput(const std::string& id);
  // The floor speaker's input (id "floor"); before Start only, once.
  Input* AddFloorInput();
  // Shows one input (or none: the slate) from the next picture on. Main loop.
  void Show(const std::optional<std::string>& id);
  // Lays the floor's speaker out with the hall, or (none) the hall alone.
  // Nothing passes through while the floor is on. Main loop.
  void ShowFloor(std::optional<FloorView> view);

  // Raw F32 stereo 48 kHz sound, timestamped in the program's running time,
  // handed to a tap on a streaming thread: the hall's mix without the floor
  // (the speaker's mix-minus), or the floor's sound alone (the hall's return).
  enum class AudioTap { kHall, kFloor };
  using SampleTap = std::function<void(GstSample*)>;
  void SetAudioTap(AudioTap tap, SampleTap handler);
  // The program's H.264 access units as they go to the payloader (encoded or
  // passed through), at program time `pts`; on a streaming thread.
  using EncodedTap = std::function<void(GstBuffer*, std::chrono::nanoseconds pts)>;
  void SetEncodedTap(EncodedTap handler);
  // The pipeline's running time now; any thread, after Start.
  std::chrono::nanoseconds RunningTime() const;

  // Pass-through: a source whose H.264 already has the program's format
  // (Matches) goes to the points as it came, without re-encoding; the
  // switch waits for its keyframe, and back for the encoder's.
  bool Matches(const GstCaps* h264_caps) const;
  // The source to pass through, or none: the encoder. Main loop.
  void PassThrough(const std::optional<std::string>& source);
  // The source passed through now, if any; any thread.
  std::optional<std::string> PassingThrough() const;
  // A source's parsed H.264 access unit (byte-stream, SPS/PPS in every IDR)
  // at program time `pts`; dropped unless that source passes through.
  // Any thread.
  void PushPassthrough(std::string_view source, GstBuffer* buffer, std::chrono::nanoseconds pts);

  Status Start();

  GstElement* pipeline() const { return pipeline_.get(); }
  GstElement* video_tee() const { return video_tee_; }
  GstElement* audio_tee() const { return audio_tee_; }
  const ProgramConfig& config() const { return config_; }

  // Asks for a keyframe, throttled. Main loop only.
  void RequestKeyframe();
  const KeyframeThrottle& keyframe_throttle() const { return throttle_; }
  // How long ago the newest keyframe left the encoder; none before the first.
  std::optional<std::chrono::milliseconds> KeyframeAge() const;

 private:
  Program(const ProgramConfig& config, Listener& listener, const Clock& clock);
  static gboolean OnBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  static GstPadProbeReturn OnUpstreamEvent(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn OnEncodedFrame(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn OnPayloaderCaps(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  // The encoder's access units, from its appsink's streaming thread.
  void OnEncoderOutput(GstSample* sample);
  static GstPadProbeReturn OnProgramPicture(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  // Into the payloader; splicer_mutex_ held.
  void PushEncoded(GstBuffer* buffer, std::chrono::nanoseconds pts);
  void SendKeyframeToEncoder();
  // An input whose sound goes to `audio_target`: a mixer, or the floor's tee.
  Input* NewInput(const std::string& id, GstElement* audio_target);
  void ConnectTap(GstElement* appsink, AudioTap tap);
  // Puts every compositor pad where the hall and the floor want it.
  void ApplyLayout();
  // What the splicer may pass through: nothing while the floor is on.
  void UpdatePassThrough();

  ProgramConfig config_;
  Listener& listener_;
  const Clock& clock_;
  GstElementPtr pipeline_;
  GstElement* encoder_ = nullptr;  // owned by pipeline_
  GstElement* video_tee_ = nullptr;
  GstElement* audio_tee_ = nullptr;
  GstElement* compositor_ = nullptr;
  GstElement* video_out_ = nullptr;     // the appsrc before the payloader
  mutable std::mutex splicer_mutex_;
  EncodedSplicer<GstBufferPtr> splicer_;
  GstCapsPtr first_rtp_caps_;  // the payloader's streaming thread only
  GstElement* audio_mixer_ = nullptr;  // the program's: the hall's mix and the floor
  GstElement* hall_mixer_ = nullptr;   // the hall's sources
  GstElement* floor_audio_tee_ = nullptr;
  GstElement* caption_ = nullptr;
  GstPad* slate_pad_ = nullptr;  // the compositor's, under everything
  std::vector<std::unique_ptr<Input>> inputs_;
  Input* floor_input_ = nullptr;
  std::optional<std::string> shown_;
  std::optional<FloorView> floor_view_;
  std::optional<std::string> passthrough_wanted_;  // main loop
  std::mutex tap_mutex_;
  SampleTap hall_tap_;
  SampleTap floor_tap_;
  EncodedTap encoded_tap_;
  guint bus_watch_ = 0;
  guint keyframe_timer_ = 0;
  KeyframeThrottle throttle_;
  // Clock time of the newest keyframe, in ns; written by the streaming thread.
  std::atomic<std::int64_t> last_keyframe_ns_{-1};
  Lifetime lifetime_;
};

}  // namespace bridgecast::media
