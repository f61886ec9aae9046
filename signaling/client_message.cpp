#include "signaling/client_message.hpp"

#include <nlohmann/json.hpp>

namespace bridgecast::signaling {
namespace {

using nlohmann::json;

// Integers JavaScript holds exactly.
constexpr uint64_t kMaxSafeInt = (uint64_t{1} << 53) - 1;

Result<std::string> StringField(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return Error{"bad_message", std::string("field '") + name + "' must be a string"};
  }
  return it->get<std::string>();
}

}  // namespace

Result<ClientMessage> ParseClientMessage(std::string_view text) {
  // nlohmann rejects invalid UTF-8 in strings, so every string below is UTF-8.
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{"bad_json", "a message must be one JSON object in UTF-8"};
  }
  const auto type = StringField(j, "type");
  if (!type) return type.error();
  if (*type == "hello") {
    auto token = StringField(j, "token");
    if (!token) return token.error();
    HelloMessage hello{std::move(*token), std::nullopt, false};
    if (const auto it = j.find("last_seq"); it != j.end()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > kMaxSafeInt) {
        return Error{"bad_message", "field 'last_seq' must be a non-negative integer"};
      }
      hello.last_seq = it->get<uint64_t>();
    }
    if (const auto it = j.find("preview"); it != j.end()) {
      if (!it->is_boolean()) return Error{"bad_message", "field 'preview' must be true or false"};
      hello.preview = it->get<bool>();
    }
    return ClientMessage{std::move(hello)};
  }
  if (*type == "command") {
    const auto id = j.find("id");
    if (id == j.end() || id->is_structured()) {
      return Error{"bad_message", "field 'id' must be a string, number, boolean or null"};
    }
    const auto command = j.find("command");
    if (command == j.end() || !command->is_object()) {
      return Error{"bad_message", "field 'command' must be an object"};
    }
    return ClientMessage{CommandMessage{*id, *command}};
  }
  // The floor's uplink (docs/protocol.md) speaks the same way with a prefix.
  const bool uplink = type->starts_with("uplink_");
  if (*type == "answer" || *type == "uplink_answer") {
    auto sdp = StringField(j, "sdp");
    if (!sdp) return sdp.error();
    return ClientMessage{AnswerMessage{std::move(*sdp), uplink}};
  }
  if (*type == "ice" || *type == "uplink_ice") {
    auto candidate = StringField(j, "candidate");
    if (!candidate) return candidate.error();
    const auto it = j.find("sdpMLineIndex");
    if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > 64) {
      return Error{"bad_message", "field 'sdpMLineIndex' must be a small unsigned integer"};
    }
    return ClientMessage{IceMessage{it->get<unsigned>(), std::move(*candidate), uplink}};
  }
  return Error{"unknown_type", "unknown message type '" + *type + "'"};
}

}  // namespace bridgecast::signaling
