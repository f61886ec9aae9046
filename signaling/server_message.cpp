#include "signaling/server_message.hpp"

#include <nlohmann/json.hpp>

namespace bridgecast::signaling::server_message {

using nlohmann::json;

std::string Welcome(std::string_view conference_id, std::string_view conference_title,
                    std::string_view point_id, std::string_view point_name,
                    std::string_view session_id) {
  return json{{"type", "welcome"},
              {"conference", {{"id", conference_id}, {"title", conference_title}}},
              {"point", {{"id", point_id}, {"name", point_name}}},
              {"session", session_id}}
      .dump();
}

std::string Offer(std::string_view sdp) { return json{{"type", "offer"}, {"sdp", sdp}}.dump(); }

std::string Ice(unsigned mline_index, std::string_view candidate) {
  return json{{"type", "ice"}, {"candidate", candidate}, {"sdpMLineIndex", mline_index}}.dump();
}

std::string State(std::string_view state) {
  return json{{"type", "state"}, {"state", state}}.dump();
}

std::string Error(std::string_view code, std::string_view message, bool fatal) {
  return json{{"type", "error"}, {"code", code}, {"message", message}, {"fatal", fatal}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace bridgecast::signaling::server_message
