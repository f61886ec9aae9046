#pragma once

#include <chrono>

namespace bridgecast::signaling {

// What one WebSocket may do before the node closes it; from the config's
// "limits" section (docs/protocol.md, "Errors").
struct ConnectionLimits {
  // A socket that has not sent an accepted `hello` by then is closed
  // (`hello_timeout`): an idle handshake holds a connection and its TLS state.
  std::chrono::milliseconds hello_timeout{10000};
  // Protocol errors (bad JSON, unknown types, messages out of order, bad SDP
  // or candidates) one connection may cause; the next closes it
  // (`too_many_errors`). Refused commands do not count.
  int max_errors = 20;
};

}  // namespace bridgecast::signaling
