#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "floor/floor_config.hpp"
#include "signaling/connection_limits.hpp"
#include "ingest/source_config.hpp"
#include "media/ice_config.hpp"
#include "media/program_config.hpp"
#include "signaling/health_thresholds.hpp"

namespace bridgecast::app {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8443;
};

// "127.0.0.1:8443", "0.0.0.0:0", "[::1]:8443". Port 0 picks a free port.
Result<ListenAddress> ParseListenAddress(std::string_view text);

struct NodeConfig {
  ListenAddress listen;
  std::string state_dir = "var";
  std::string conference_file;  // empty: the bundled reference conference
  std::string public_url;       // base of join links; empty: https://<listen>
  media::ProgramConfig program;
  ingest::IngestConfig ingest;  // no sources: the test pattern
  floor::FloorConfig floor;
  signaling::ConnectionLimits limits;
  media::IceConfig ice;
  signaling::HealthThresholds health;
};

// Applies a JSON config file's settings on top of `config` (see
// deploy/bridgecast.example.json). Unknown keys are errors, so typos show.
Status ApplyConfigFile(std::string_view json_text, NodeConfig& config);

// Checks an ICE address list entry: an IPv4 or IPv6 literal.
bool IsIpAddress(std::string_view text);

}  // namespace bridgecast::app
