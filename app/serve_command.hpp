#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace bridgecast::app {

struct ServeOptions {
  std::string listen;
  std::string state_dir;
  std::string conference;
  std::string config_file;
  std::string public_url;
  std::vector<std::string> ice_addresses;
  std::string video_size;  // WxH
  int fps = 0;
  int video_kbps = 0;
  bool cbr_filler = false;
  bool capture_stamp = false;
};

void AddServeCommand(CLI::App& app, ServeOptions& options);
int RunServe(const ServeOptions& options);

}  // namespace bridgecast::app
