#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace bridgecast::ingest {

enum class SourceKind {
  kTestPattern,  // bars, a clock and a tick: the default program
  kFile,         // a media file, looped or once
  kSrt,          // MPEG-TS over SRT, as listener or caller (the URI's mode)
  kRtsp,         // an IP camera or encoder, pulled
  kDevice,       // a V4L2 camera and an ALSA or PulseAudio microphone
  kWhip,         // WebRTC from a publisher (OBS), POST /whip/<conference>
};

struct SourceConfig {
  std::string id;     // [a-z0-9_-], 1..32
  std::string label;  // shown to staff; the id if empty
  SourceKind kind = SourceKind::kTestPattern;
  // file: a path; srt: srt://HOST:PORT?mode=listener|caller[&latency=MS];
  // rtsp: rtsp://[user:pass@]host[:port]/path.
  std::string uri;
  std::string passphrase;     // srt: 10..79 characters, or empty
  bool loop = true;           // file
  bool rtsp_tcp_only = false; // rtsp: interleaved TCP only (else UDP, TCP as fallback)
  std::string video_device;   // device: /dev/videoN
  // device: "alsa:<device>" (e.g. alsa:hw:1,0), "pulse" or "pulse:<source>", or empty
  std::string audio_device;
  std::string pattern = "smpte";  // test pattern: a videotestsrc pattern
  int tone_hz = 0;                // test pattern: a sine of this frequency; 0: ticks
  // Shown while this source is selected but not live (before the slate).
  std::string backup;
  // whip: a new publisher replaces the live one instead of getting 409.
  bool takeover = false;
};

struct IngestConfig {
  std::vector<SourceConfig> sources;  // empty: one test pattern, "test"
  std::string on_air;                 // the source on air at start; empty: the first
  std::chrono::milliseconds stall{500};
  double loudness_lufs = -23.0;  // EBU R128 programme loudness target
  bool normalize_loudness = true;
};

}  // namespace bridgecast::ingest
