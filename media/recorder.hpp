#pragma once

#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "media/main_loop.hpp"
#include "media/program.hpp"
#include "media/segment_name.hpp"
#include "media/wall_time.hpp"

namespace bridgecast::media {

struct RecorderConfig {
  std::string directory;  // <state_dir>/archive/<session>, created by the caller
  unsigned run = 1;       // segment files are run%04u-seg%05u.ts
  // A segment ends at the first keyframe after this much media.
  std::chrono::milliseconds max_segment = std::chrono::seconds(4);
};

struct RecorderSegment {
  unsigned run = 0;
  unsigned seq = 0;
  std::string file;  // name inside RecorderConfig::directory
  WallTime wall_start{};  // wall-clock time of the segment's first frame
  std::chrono::milliseconds duration{0};  // set when closed
  std::uint64_t bytes = 0;                // set when closed
};

// Records the program exactly as it is sent: a branch on the program's RTP tees
// (depayload; H.264 as is in whole access units, Opus to AAC for HLS players)
// into segmented MPEG-TS. Each muxed packet is written to the open segment as
// it comes (TsSegmenter; a keyframe after max_segment starts the next file),
// unbuffered: a TS segment is readable up to the last packet written, so a
// crash loses only what the branch's elements hold (the AAC encoder and the
// muxer, a few frames).
//
// The branch lives in its own bin that swallows its errors and flow errors:
// a full disk stops the recording, never the tees or the points.
class Recorder {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnRecorderSegmentOpened(const RecorderSegment& segment) = 0;
    virtual void OnRecorderSegmentClosed(const RecorderSegment& segment) = 0;
    // The branch failed (write error, unwritable directory...). It is already
    // detached; destroy the recorder.
    virtual void OnRecorderFailed(const std::string& message) = 0;
    // Stop() finished: the last segment is closed; destroy the recorder.
    virtual void OnRecorderStopped() = 0;
  };

  static Result<std::unique_ptr<Recorder>> Start(Program& program, const RecorderConfig& config,
                                                 Listener& listener);
  // Detaches at once; the segment being written is cut where it is (as after
  // a crash) — use Stop() first to close it properly.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Detaches from the tees and drains: the open segment is finished, then
  // Listener::OnRecorderStopped. Main loop.
  void Stop();
  bool stopping() const { return stopping_; }
  const std::optional<RecorderSegment>& current() const { return current_; }
  const RecorderConfig& config() const { return config_; }

  struct Hooks;

 private:
  struct Branch;

  Recorder(Program& program, const RecorderConfig& config, Listener& listener);
  Status Build();
  void Detach();
  void OnSegmentOpened(const std::string& file, GstClockTime running_time);
  void OnSegmentClosed(const std::string& file, std::chrono::milliseconds duration,
                       std::uint64_t bytes);
  void OnFailed(const std::string& message);
  void OnDrained();

  Program& program_;
  RecorderConfig config_;
  Listener& listener_;
  std::shared_ptr<Branch> branch_;
  GstPad* video_tee_pad_ = nullptr;
  GstPad* audio_tee_pad_ = nullptr;
  std::optional<RecorderSegment> current_;
  bool detached_ = false;
  bool stopping_ = false;
  guint drain_timer_ = 0;
  Lifetime lifetime_;
};

}  // namespace bridgecast::media
