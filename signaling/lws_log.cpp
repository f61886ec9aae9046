#include "signaling/lws_log.hpp"

#include <libwebsockets.h>
#include <spdlog/spdlog.h>

#include <string>

namespace bridgecast::signaling {
namespace {

void LogFromLws(int level, const char* line) {
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (level & LLL_ERR) {
    spdlog::error("lws: {}", text);
  } else {
    spdlog::warn("lws: {}", text);
  }
}

}  // namespace

void RouteLwsLogToSpdlog() { lws_set_log_level(LLL_ERR | LLL_WARN, LogFromLws); }

}  // namespace bridgecast::signaling
