#include "test_node.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace bridgecast::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "bridgecast-it-XXXXXX").string();
  if (mkdtemp(pattern.data())) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TestNode::TestNode(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {BRIDGECAST_BIN, "serve",         "--listen",
                                   "127.0.0.1:0",  "--state-dir",   state_.path() + "/state",
                                   "--ice-address", "127.0.0.1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, state_.path() + "/node.log");
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

std::string TestNode::links_file() const { return state_.path() + "/state/join-links.json"; }

nlohmann::json TestNode::links() const { return nlohmann::json::parse(ReadFile(links_file())); }

std::string TestNode::log() const { return ReadFile(state_.path() + "/node.log"); }

std::optional<int> TestNode::Stop() {
  if (!process_->running()) return process_->Wait(std::chrono::milliseconds(0));
  process_->Signal(SIGTERM);
  return process_->Wait(std::chrono::seconds(15));
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

}  // namespace bridgecast::test
