#include "app/token_command.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/conference_lookup.hpp"
#include "signaling/token.hpp"

namespace bridgecast::app {
namespace {

Result<std::string> MakeToken(const TokenOptions& o) {
  const auto role = signaling::ParseRole(o.role);
  if (!role) {
    return Error{"bad_role",
                 "--role must be chair, operator, point, observer, reviewer or publisher, not '" +
                     o.role + "'"};
  }
  if ((*role == signaling::Role::kPoint) != !o.point.empty()) {
    return Error{"bad_point", "--point is required for role point and only for it"};
  }
  auto conference = FindConference(o.conference, o.state_dir);
  if (!conference) return conference.error();
  if (!o.point.empty() && !conference->FindPoint(o.point)) {
    return Error{"unknown_point", "point '" + o.point + "' is not in the roster of " +
                                      conference->id};
  }
  // A missing key means a wrong --state-dir: making a new one would print a
  // token the node rejects.
  const std::string key_path = o.state_dir + "/token.key";
  std::error_code ec;
  if (!std::filesystem::exists(key_path, ec)) {
    return Error{"no_token_key", "no " + key_path + " (start the node once with this --state-dir)"};
  }
  auto signer = signaling::LoadOrCreateTokenSigner(key_path);
  if (!signer) return signer.error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return signer->Sign({conference->id, *role, o.point, now});
}

}  // namespace

void AddTokenCommand(CLI::App& app, TokenOptions& o) {
  CLI::App* token = app.add_subcommand("token", "Print a signed token for one role");
  token->add_option("--conference", o.conference, "Conference id or conference file")->required();
  token->add_option("--role", o.role, "chair, operator, point, observer, reviewer or publisher")->required();
  token->add_option("--point", o.point, "Bridge-point id (role point only)");
  token->add_option("--state-dir", o.state_dir, "The node's state directory (default ./var)");
}

int RunToken(const TokenOptions& options) {
  auto token = MakeToken(options);
  if (!token) {
    spdlog::error("{}: {}", token.error().code, token.error().message);
    return 2;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace bridgecast::app
