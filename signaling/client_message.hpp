#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.hpp"

namespace bridgecast::signaling {

struct HelloMessage {
  std::string token;
  std::optional<std::uint64_t> last_seq;  // a reconnecting client's newest event
  bool preview = false;  // chair/operator: also receive the program (console preview)
};
// `uplink`: for the floor's uplink, not the program's link.
struct AnswerMessage {
  std::string sdp;
  bool uplink = false;
};
struct IceMessage {
  unsigned mline_index = 0;
  std::string candidate;
  bool uplink = false;
};
// A conference command; `command` is checked later by agenda::CommandFromJson
// so its error (bad_command) can echo `id`.
struct CommandMessage {
  nlohmann::json id;  // a scalar chosen by the client, echoed in ack or error
  nlohmann::json command;
};
using ClientMessage = std::variant<HelloMessage, AnswerMessage, IceMessage, CommandMessage>;

// Parses one WebSocket text frame from a client. Errors carry the protocol's
// codes: bad_json, bad_message, unknown_type (docs/protocol.md).
Result<ClientMessage> ParseClientMessage(std::string_view text);

}  // namespace bridgecast::signaling
