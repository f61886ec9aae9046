#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bridgecast::app {

struct TokenOptions {
  std::string conference;  // a conference file or id
  std::string role;
  std::string point;
  std::string state_dir = "var";
};

// `bridgecast token`: prints a token signed with STATE_DIR/token.key.
void AddTokenCommand(CLI::App& app, TokenOptions& options);
int RunToken(const TokenOptions& options);

}  // namespace bridgecast::app
