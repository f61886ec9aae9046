#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/result.hpp"

namespace bridgecast::signaling {

struct HelloMessage {
  std::string token;
};
struct AnswerMessage {
  std::string sdp;
};
struct IceMessage {
  unsigned mline_index = 0;
  std::string candidate;
};
using ClientMessage = std::variant<HelloMessage, AnswerMessage, IceMessage>;

// Parses one WebSocket text frame from a client. Errors carry the protocol's
// codes: bad_json, bad_message, unknown_type (docs/protocol.md).
Result<ClientMessage> ParseClientMessage(std::string_view text);

}  // namespace bridgecast::signaling
