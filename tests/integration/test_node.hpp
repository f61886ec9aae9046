#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::test {

// A program cheap enough for tests that need media but do not measure it.
inline const std::vector<std::string> kCheapProgram = {"--video-size", "320x180", "--video-kbps",
                                                       "200"};

// The real `bridgecast serve` on 127.0.0.1, an ephemeral port, loopback-only
// ICE and a fresh state directory — or the directory of an earlier node, to
// restart on its state.
class TestNode {
 public:
  explicit TestNode(const std::vector<std::string>& extra_args = {});
  TestNode(std::shared_ptr<TempDir> root, const std::vector<std::string>& extra_args);
  // Listens on `port` (e.g. an earlier node's, for clients that reconnect).
  TestNode(std::shared_ptr<TempDir> root, const std::vector<std::string>& extra_args, int port);
  ~TestNode();

  bool listening() const { return port_ > 0; }
  int port() const { return port_; }
  // Holds STATE_DIR (state_dir()) and the logs; pass it to restart on this state.
  std::shared_ptr<TempDir> root() const { return root_; }
  std::string state_dir() const { return root_->path() + "/state"; }
  std::string links_file() const;
  nlohmann::json links() const;
  ChildProcess& process() { return *process_; }
  std::string log() const;
  // SIGTERM, then the exit status (nullopt if it did not stop in time).
  std::optional<int> Stop();
  // SIGKILL: no shutdown code runs, as in a crash or power cut.
  void Kill();

 private:
  std::shared_ptr<TempDir> root_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = -1;
};

// `bridgecast token` for `node`'s conference and state directory; empty on failure.
std::string IssueToken(const TestNode& node, const std::string& role,
                       const std::string& point = "");

// `bridgecast token` signed with `node`'s key for another conference, given as
// a conference file or id; empty on failure.
std::string IssueTokenFor(const TestNode& node, const std::string& conference,
                          const std::string& role);

// `bridgecast report attendance` on a state directory: exit status and stdout.
struct CommandRun {
  int exit_status = -1;
  std::string out;
};
CommandRun RunReport(const std::string& state_dir, const std::string& conference,
                     const std::string& format);

// `bridgecast archive ARGS... --state-dir STATE_DIR`: exit status and stdout.
CommandRun RunArchive(const std::string& state_dir, std::vector<std::string> args);

// Runs `bridgecast point` with `args` plus loopback ICE and a report file,
// waits for it, and returns its report (empty object if none was written).
struct PointRun {
  int exit_status = -1;
  nlohmann::json report;
  std::string log;
};
PointRun RunPoints(const TestNode& node, const std::vector<std::string>& args,
                   std::chrono::seconds timeout);

// Starts `bridgecast point` without waiting; the caller owns the process.
std::unique_ptr<ChildProcess> StartPoints(const TestNode& node, const std::vector<std::string>& args,
                                          const std::string& report_path,
                                          const std::string& log_path);

std::string ReadFile(const std::string& path);

// STATE_DIR/operator-token without its newline.
std::string OperatorToken(const TestNode& node);

}  // namespace bridgecast::test
