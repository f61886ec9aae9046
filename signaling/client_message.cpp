#include "signaling/client_message.hpp"

#include <nlohmann/json.hpp>

namespace bridgecast::signaling {
namespace {

using nlohmann::json;

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
    return ClientMessage{HelloMessage{std::move(*token)}};
  }
  if (*type == "answer") {
    auto sdp = StringField(j, "sdp");
    if (!sdp) return sdp.error();
    return ClientMessage{AnswerMessage{std::move(*sdp)}};
  }
  if (*type == "ice") {
    auto candidate = StringField(j, "candidate");
    if (!candidate) return candidate.error();
    const auto it = j.find("sdpMLineIndex");
    if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > 64) {
      return Error{"bad_message", "field 'sdpMLineIndex' must be a small unsigned integer"};
    }
    return ClientMessage{IceMessage{it->get<unsigned>(), std::move(*candidate)}};
  }
  return Error{"unknown_type", "unknown message type '" + *type + "'"};
}

}  // namespace bridgecast::signaling
