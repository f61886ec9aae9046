#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
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
