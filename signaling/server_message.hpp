#pragma once

#include <string>
#include <string_view>

// The node's messages to clients, serialised (docs/protocol.md).
namespace bridgecast::signaling::server_message {

std::string Welcome(std::string_view conference_id, std::string_view conference_title,
                    std::string_view point_id, std::string_view point_name,
                    std::string_view session_id);
std::string Offer(std::string_view sdp);
std::string Ice(unsigned mline_index, std::string_view candidate);
std::string State(std::string_view state);
std::string Error(std::string_view code, std::string_view message, bool fatal);

}  // namespace bridgecast::signaling::server_message
