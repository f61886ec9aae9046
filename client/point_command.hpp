#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bridgecast::client {

struct PointOptions {
  std::string links_file;
  std::string point;
  int count = 0;
  bool headless = false;
  std::chrono::seconds duration{0};  // 0 = until SIGINT/SIGTERM
  std::string report_file;
  int decode_index = 0;
  std::vector<std::string> ice_addresses;  // if non-empty, only these local IPs are used for ICE
  std::string record_file;  // the decoding point also writes what it receives here (MPEG-TS)
  // The floor's uplink: what the point sends when it holds the floor.
  uint32_t uplink_colour = 0x00c000;  // the test camera's solid colour, RGB
  int uplink_tone_hz = 660;           // the test microphone's sine
  double uplink_loss = 0;             // fraction of the uplink's RTP packets dropped
  bool no_uplink_video = false;       // no camera: the uplink's video answered inactive
  std::string record_return_file;     // the decoding point's mix-minus, as WAV
};

// Registers the options of `bridgecast point` on `app`, which is the `point`
// subcommand itself (the caller creates it with add_subcommand).
void AddPointCommand(CLI::App& app, PointOptions& opts);

// Runs the points until --duration, SIGINT or SIGTERM, then writes the
// report. Returns 0 if every point connected and none gave up, 1 otherwise
// (or if the report could not be written), 2 for bad input (links file,
// point id, options).
int RunPoint(const PointOptions& opts);

}  // namespace bridgecast::client
