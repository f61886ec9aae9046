#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agenda/conference_spec.hpp"

// The node's messages to clients, serialised (docs/protocol.md).
namespace bridgecast::signaling::server_message {

// `point` is null for the roles that are not a bridge point.
std::string Welcome(std::string_view conference_id, std::string_view conference_title,
                    std::string_view role, const agenda::BridgePointSpec* point,
                    std::string_view session_id);
// `uplink`: the floor's uplink (uplink_offer, uplink_ice, uplink_state).
std::string Offer(std::string_view sdp, bool uplink = false);
std::string Ice(unsigned mline_index, std::string_view candidate, bool uplink = false);
std::string State(std::string_view state, bool uplink = false);
std::string UplinkClose(std::string_view reason);
std::string Error(std::string_view code, std::string_view message, bool fatal);

// Conference state for one viewer (agenda::Snapshot) as of event `seq`.
std::string Snapshot(std::uint64_t seq, const nlohmann::json& state);
// One journaled event (agenda::ToJson(Event)).
std::string Event(const nlohmann::json& event);
// A command's outcome; `id` is the client's, echoed.
std::string Ack(const nlohmann::json& id, std::uint64_t seq);
std::string CommandError(const nlohmann::json& id, std::string_view code,
                         std::string_view message);
// What is on air and the state of every ingest source, for staff: `status`
// is Ingest::Status() with "type":"program" added.
std::string Program(nlohmann::json status);

// Link health for staff (Gateway::PushStats); `keyframe_age_ms` is null when
// no keyframe was seen yet.
std::string Stats(std::int64_t at_ms, nlohmann::json keyframe_age_ms, nlohmann::json thresholds,
                  nlohmann::json points);

}  // namespace bridgecast::signaling::server_message
