#include "test_node.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace bridgecast::test {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TestNode::TestNode(const std::vector<std::string>& extra_args)
    : TestNode(std::make_shared<TempDir>(), extra_args) {}

TestNode::TestNode(std::shared_ptr<TempDir> root, const std::vector<std::string>& extra_args)
    : TestNode(std::move(root), extra_args, 0) {}

TestNode::TestNode(std::shared_ptr<TempDir> root, const std::vector<std::string>& extra_args,
                   int port)
    : root_(std::move(root)) {
  // A restarted node keeps the earlier logs: node.log, node-2.log, ...
  log_path_ = root_->path() + "/node.log";
  for (int i = 2; i < 100 && std::filesystem::exists(log_path_); ++i) {
    log_path_ = root_->path() + "/node-" + std::to_string(i) + ".log";
  }
  std::vector<std::string> argv = {BRIDGECAST_BIN, "serve",         "--listen",
                                   "127.0.0.1:" + std::to_string(port), "--state-dir", state_dir(),
                                   "--ice-address", "127.0.0.1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, log_path_);
  const std::regex listening(R"(bridgecast listening on https://127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = process_->ReadLine(std::chrono::seconds(1));
    if (!line) {
      if (!process_->running()) return;
      continue;
    }
    std::smatch m;
    if (std::regex_search(*line, m, listening)) {
      port_ = std::stoi(m[1]);
      return;
    }
  }
}

TestNode::~TestNode() { Stop(); }

std::string TestNode::links_file() const { return state_dir() + "/join-links.json"; }

nlohmann::json TestNode::links() const { return nlohmann::json::parse(ReadFile(links_file())); }

std::string TestNode::log() const { return ReadFile(log_path_); }

std::optional<int> TestNode::Stop() {
  if (!process_->running()) return process_->Wait(std::chrono::milliseconds(0));
  process_->Signal(SIGTERM);
  return process_->Wait(std::chrono::seconds(15));
}

void TestNode::Kill() {
  process_->Signal(SIGKILL);
  process_->Wait(std::chrono::seconds(15));
}

namespace {

// Runs the bridgecast binary with `args` to completion (bounded), keeping stdout.
CommandRun RunBridgecast(std::vector<std::string> args, const std::string& log_path) {
  args.insert(args.begin(), BRIDGECAST_BIN);
  ChildProcess process(args, log_path);
  CommandRun run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = process.ReadLine(std::chrono::milliseconds(200));
    if (line) {
      run.out += *line + "\n";
    } else if (!process.running()) {
      break;
    }
  }
  while (auto line = process.ReadLine(std::chrono::milliseconds(0))) run.out += *line + "\n";
  const auto status = process.Wait(std::chrono::seconds(5));
  if (status && WIFEXITED(*status)) run.exit_status = WEXITSTATUS(*status);
  return run;
}

// `bridgecast token` with `args` for `node`'s state; its first line, or empty.
std::string MintToken(const TestNode& node, std::vector<std::string> args) {
  args.insert(args.begin(), "token");
  args.insert(args.end(), {"--state-dir", node.state_dir()});
  const CommandRun run = RunBridgecast(args, node.root()->path() + "/token.log");
  if (run.exit_status != 0 || run.out.empty()) return "";
  return run.out.substr(0, run.out.find('\n'));
}

}  // namespace

std::string IssueToken(const TestNode& node, const std::string& role, const std::string& point) {
  std::vector<std::string> args = {"--conference", node.links()["conference"]["id"], "--role", role};
  if (!point.empty()) args.insert(args.end(), {"--point", point});
  return MintToken(node, std::move(args));
}

std::string IssueTokenFor(const TestNode& node, const std::string& conference,
                          const std::string& role) {
  return MintToken(node, {"--conference", conference, "--role", role});
}

CommandRun RunArchive(const std::string& state_dir, std::vector<std::string> args) {
  args.insert(args.begin(), "archive");
  args.insert(args.end(), {"--state-dir", state_dir});
  return RunBridgecast(args, state_dir + "/../archive.log");
}

CommandRun RunReport(const std::string& state_dir, const std::string& conference,
                     const std::string& format) {
  return RunBridgecast({"report", "attendance", "--conference", conference, "--format", format,
                        "--state-dir", state_dir},
                       state_dir + "/../report.log");
}

std::unique_ptr<ChildProcess> StartPoints(const TestNode& node, const std::vector<std::string>& args,
                                          const std::string& report_path,
                                          const std::string& log_path) {
  std::vector<std::string> argv = {BRIDGECAST_BIN, "point", "--links", node.links_file(),
                                   "--headless", "--ice-address", "127.0.0.1", "--report",
                                   report_path};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ChildProcess>(argv, log_path);
}

PointRun RunPoints(const TestNode& node, const std::vector<std::string>& args,
                   std::chrono::seconds timeout) {
  TempDir dir;
  const std::string report_path = dir.path() + "/report.json";
  auto process = StartPoints(node, args, report_path, dir.path() + "/point.log");
  PointRun run;
  const auto status = process->Wait(timeout);
  if (status && WIFEXITED(*status)) run.exit_status = WEXITSTATUS(*status);
  run.log = ReadFile(dir.path() + "/point.log");
  const std::string report = ReadFile(report_path);
  run.report = nlohmann::json::parse(report, nullptr, false);
  if (run.report.is_discarded()) run.report = nlohmann::json::object();
  return run;
}

std::string OperatorToken(const TestNode& node) {
  std::string token = ReadFile(node.state_dir() + "/operator-token");
  token.erase(token.find_last_not_of(" \n") + 1);
  return token;
}

}  // namespace bridgecast::test
