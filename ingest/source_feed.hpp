#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ingest/source_clock_map.hpp"
#include "media/gst_ptr.hpp"
#include "media/loudness_normalizer.hpp"
#include "media/program.hpp"

namespace bridgecast::ingest {

// Carries one source's decoded pictures and samples into its program input:
// retimes them onto the program's clock (SourceClockMap), brings the sound to
// the loudness target and fades it in and out, and counts pictures for the
// stall detector. Push* run on the source's streaming threads.
class SourceFeed {
 public:
  SourceFeed(media::Program& program, media::Program::Input& input, bool normalize,
             media::LoudnessTarget loudness);

  // A picture: raw I420 at the program's size.
  void PushVideo(GstSample* sample);
  // Sound: F32 interleaved stereo at 48 kHz.
  void PushAudio(GstSample* sample);
  // The source's own H.264 (parsed, byte-stream, whole access units), for
  // passing through when it has the program's format.
  void PushEncoded(GstSample* sample);
  // The program's frame rate.
  int fps() const { return program_.config().fps; }
  // Whether the source's H.264 has the program's format (Program::Matches).
  bool passthrough_capable() const { return passthrough_capable_; }
  // The source restarted: its timestamps begin anew.
  void Restart();
  // Main loop, every 20 ms: while the source sends nothing (not yet, no more,
  // or its sound is not heard), its inputs get its last picture (or black)
  // and silence, so the mixers never wait for it.
  void KeepAlive();

  // Heard or not; the change is a short fade. Main loop.
  void SetAudible(bool audible) { audible_ = audible; }

  std::uint64_t frames() const { return frames_; }
  std::chrono::steady_clock::time_point last_frame() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_frame_ns_.load()));
  }

 private:
  std::optional<SourceClockMap::Mapped> Map(GstSample* sample);
  void SetCaps(GstElement* appsrc, GstCaps* caps, media::GstCapsPtr& current);

  media::Program& program_;
  media::Program::Input& input_;
  std::mutex mutex_;  // the two streaming threads share the clock map
  SourceClockMap clock_map_;
  media::GstCapsPtr video_caps_;
  media::GstCapsPtr audio_caps_;
  media::GstCapsPtr encoded_caps_;  // the encoded branch's thread only
  std::atomic<bool> passthrough_capable_{false};
  // Audio thread only.
  bool normalize_;
  media::LoudnessNormalizer normalizer_;
  float gain_ = 0;
  std::vector<float> unheard_;  // an unheard buffer's samples, measured and dropped

  media::GstBufferPtr last_picture_;  // under mutex_
  // Program running time of the last buffer the source itself sent, in ns.
  std::atomic<std::int64_t> video_sent_ns_{-1};
  std::atomic<std::int64_t> audio_sent_ns_{-1};
  std::atomic<bool> audible_{false};
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::int64_t> last_frame_ns_{0};
};

}  // namespace bridgecast::ingest
