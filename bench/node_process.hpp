#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace bridgecast::bench {

// A `bridgecast serve` child on 127.0.0.1 (ephemeral port) with a state
// directory of its own; SIGTERM on destruction.
class NodeProcess {
 public:
  // Nullptr (and a message on stderr) if it is not listening within 30 s.
  static std::unique_ptr<NodeProcess> Start(const std::string& binary,
                                            const std::string& state_dir);
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  int port() const { return port_; }

 private:
  NodeProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  pid_t pid_;
  int stdout_fd_;
  int port_ = 0;
};

// Runs `binary args...` to completion and returns its first stdout line
// (empty on failure).
std::string RunForLine(const std::string& binary, const std::vector<std::string>& args);

}  // namespace bridgecast::bench
