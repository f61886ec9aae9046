#include "signaling/server_message.hpp"

namespace bridgecast::signaling::server_message {
namespace {

using nlohmann::json;

// Text the node did not produce (messages quoting client input) may hold bad
// UTF-8; replace it rather than fail to serialise.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Link(std::string_view type, bool uplink) {
  return uplink ? "uplink_" + std::string(type) : std::string(type);
}

}  // namespace

std::string Welcome(std::string_view conference_id, std::string_view conference_title,
                    std::string_view role, const agenda::BridgePointSpec* point,
                    std::string_view session_id) {
  json welcome = {{"type", "welcome"},
                  {"conference", {{"id", conference_id}, {"title", conference_title}}},
                  {"role", role},
                  {"session", session_id}};
  if (point) welcome["point"] = {{"id", point->id}, {"name", point->name}};
  return Dump(welcome);
}

std::string Offer(std::string_view sdp, bool uplink) {
  return json{{"type", Link("offer", uplink)}, {"sdp", sdp}}.dump();
}

std::string Ice(unsigned mline_index, std::string_view candidate, bool uplink) {
  return json{{"type", Link("ice", uplink)}, {"candidate", candidate}, {"sdpMLineIndex", mline_index}}
      .dump();
}

std::string State(std::string_view state, bool uplink) {
  return json{{"type", Link("state", uplink)}, {"state", state}}.dump();
}

std::string UplinkClose(std::string_view reason) {
  return json{{"type", "uplink_close"}, {"reason", reason}}.dump();
}

std::string Error(std::string_view code, std::string_view message, bool fatal) {
  return Dump({{"type", "error"}, {"code", code}, {"message", message}, {"fatal", fatal}});
}

std::string Snapshot(std::uint64_t seq, const json& state) {
  return Dump({{"type", "snapshot"}, {"seq", seq}, {"state", state}});
}

std::string Event(const json& event) { return Dump({{"type", "event"}, {"event", event}}); }

std::string Ack(const json& id, std::uint64_t seq) {
  return Dump({{"type", "ack"}, {"id", id}, {"seq", seq}});
}

std::string CommandError(const json& id, std::string_view code, std::string_view message) {
  return Dump(
      {{"type", "error"}, {"code", code}, {"message", message}, {"id", id}, {"fatal", false}});
}

std::string Program(nlohmann::json status) {
  status["type"] = "program";
  return status.dump();
}

std::string Stats(std::int64_t at_ms, nlohmann::json keyframe_age_ms, nlohmann::json thresholds,
                  nlohmann::json points) {
  return nlohmann::json{{"type", "stats"},
                        {"at", at_ms},
                        {"keyframe_age_ms", std::move(keyframe_age_ms)},
                        {"thresholds", std::move(thresholds)},
                        {"points", std::move(points)}}
      .dump();
}

}  // namespace bridgecast::signaling::server_message
