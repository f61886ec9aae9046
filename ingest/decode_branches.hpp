#pragma once

#include <gst/gst.h>

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

// What a source receives, for staff: "1920x1080 25 fps H.264, AAC"; empty
// while nothing is known.
std::string DescribeInput(const std::string& size, const std::string& video,
                          const std::string& audio);

}  // namespace bridgecast::ingest
