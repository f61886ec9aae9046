#pragma once

#include <string>

namespace bridgecast::ingest {

// What a source reports about itself, on the main loop. Pictures themselves
// go to its SourceFeed; the stall detector watches those.
class SourceListener {
 public:
  virtual ~SourceListener() = default;
  // Started (again): waiting for its sender or its first picture.
  virtual void OnSourceConnecting(const std::string& id) = 0;
  // Nothing to play and nothing will come by itself (a file played once, a
  // WHIP publisher that left).
  virtual void OnSourceIdle(const std::string& id, const std::string& reason) = 0;
  // An error: unreachable, refused, an unsupported codec. The source retries
  // by itself where that can help.
  virtual void OnSourceFailed(const std::string& id, const std::string& reason) = 0;
};

// One ingest source: a pipeline of its own (so a failing camera never stops
// the program) that decodes, scales and resamples into a SourceFeed.
class Source {
 public:
  virtual ~Source() = default;
  virtual void Start() = 0;
  // What arrives, e.g. "1920x1080 25/1 H.264, AAC"; empty before it is known.
  virtual std::string InputFormat() const = 0;
};

}  // namespace bridgecast::ingest
