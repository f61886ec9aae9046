#pragma once

#include <gst/gst.h>

#include <mutex>
#include <string>

#include "ingest/source_feed.hpp"
#include "media/program_config.hpp"

namespace bridgecast::ingest {

// The tails every source's pipeline ends in: decoded video scaled to the
// program's size and rate, sound converted to its format, each into an
// appsink ("video", "audio") that hands them to the source's feed.
// `sync`: the sinks wait for each buffer's time (a file played in real time).
std::string VideoBranch(const media::ProgramConfig& program, bool sync);
std::string AudioBranch(bool sync);

// Connects the "video" and "audio" appsinks of `pipeline` to `feed`, and runs
// the pipeline on the system clock: the clock of the points, not a sound
// card's, so samples from ALSA are resampled to it instead of drifting
// against the other sources.
void ConnectFeed(GstElement* pipeline, SourceFeed& feed);
// Hands nothing more to the feed (a pipeline that is being stopped).
void DisconnectFeed(GstElement* pipeline);

// What a source receives, for staff: "1920x1080 25 fps H.264, AAC"; empty
// while nothing is known. Written on streaming threads, read on the main loop.
class InputDescription {
 public:
  // Names the codecs; an empty one stays as it was.
  void SetCodecs(const std::string& video, const std::string& audio);
  // Size and rate from video caps (raw or encoded).
  void SetSize(const GstStructure* video_caps);
  void Clear();
  std::string Text() const;

 private:
  mutable std::mutex mutex_;
  std::string size_, video_, audio_;
};

}  // namespace bridgecast::ingest
