#pragma once

namespace bridgecast::signaling {

// Sends libwebsockets' errors and warnings to spdlog (process-wide; the node
// and the native client both call it before creating an lws context).
void RouteLwsLogToSpdlog();

}  // namespace bridgecast::signaling
