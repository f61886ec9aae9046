#include "node_process.hpp"

#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <thread>

namespace bridgecast::bench {
namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::unique_ptr<NodeProcess> NodeProcess::Start(const std::string& binary,
                                                const std::string& state_dir) {
  std::vector<std::string> args = {binary,          "--log-level",   "warn",
                                   "serve",         "--listen",      "127.0.0.1:0",
                                   "--state-dir",   state_dir,       "--ice-address",
                                   "127.0.0.1",     "--video-size",  "320x180",
                                   "--video-kbps",  "200"};
  std::vector<char*> argv = Argv(args);
  GPid pid = 0;
  int out = -1;
  GError* error = nullptr;
  if (!g_spawn_async_with_pipes(nullptr, argv.data(), nullptr, G_SPAWN_DO_NOT_REAP_CHILD, nullptr,
                                nullptr, &pid, nullptr, &out, nullptr, &error)) {
    std::fprintf(stderr, "cannot start %s: %s\n", binary.c_str(), error->message);
    g_error_free(error);
    return nullptr;
  }
  std::unique_ptr<NodeProcess> node(new NodeProcess(pid, out));
  const std::regex listening(R"(listening on https://127\.0\.0\.1:(\d+))");
  std::string buffer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out, POLLIN, 0};
    if (poll(&p, 1, 500) <= 0) continue;
    char chunk[1024];
    const ssize_t n = read(out, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    std::smatch m;
    if (std::regex_search(buffer, m, listening)) {
      node->port_ = std::stoi(m[1]);
      return node;
    }
  }
  std::fprintf(stderr, "the node did not start listening\n");
  return nullptr;
}

NodeProcess::~NodeProcess() {
  kill(pid_, SIGTERM);
  for (int i = 0; i < 150; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (i == 149) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  close(stdout_fd_);
}

std::string RunForLine(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv = Argv(all);
  gchar* out = nullptr;
  gint status = 0;
  if (!g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out,
                    nullptr, &status, nullptr)) {
    return "";
  }
  std::string line = out ? out : "";
  g_free(out);
  if (!g_spawn_check_wait_status(status, nullptr)) return "";
  return line.substr(0, line.find('\n'));
}

}  // namespace bridgecast::bench
