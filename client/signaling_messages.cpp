#include "client/signaling_messages.hpp"

#include <nlohmann/json.hpp>

namespace bridgecast::client::signaling {
namespace {

using nlohmann::json;

Error BadMessage(std::string message) { return Error{"bad_message", std::move(message)}; }

const json* Member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Optional string member: absent gives "", present must be a string.
bool OptionalString(const json& obj, const char* key, std::string& out) {
  const json* v = Member(obj, key);
  if (!v) return true;
  if (!v->is_string()) return false;
  out = v->get<std::string>();
  return true;
}

Result<NodeMessage> ParseWelcome(const json& msg) {
  Welcome w;
  const json* conf = Member(msg, "conference");
  const json* point = Member(msg, "point");
  if ((conf && !conf->is_object()) || (point && !point->is_object())) {
    return BadMessage("welcome: conference and point must be objects");
  }
  bool ok = OptionalString(msg, "session", w.session);
  if (conf) {
    ok = ok && OptionalString(*conf, "id", w.conference_id) &&
         OptionalString(*conf, "title", w.conference_title);
  }
  if (point) {
    ok = ok && OptionalString(*point, "id", w.point_id) &&
         OptionalString(*point, "name", w.point_name);
  }
  if (!ok) return BadMessage("welcome: a field is not a string");
  return NodeMessage(std::move(w));
}

// ice and uplink_ice: {candidate, sdpMLineIndex}.
template <typename Candidate>
Result<NodeMessage> ParseIce(const json& msg, const std::string& type) {
  const json* candidate = Member(msg, "candidate");
  const json* mline = Member(msg, "sdpMLineIndex");
  if (!candidate || !candidate->is_string()) {
    return BadMessage(type + ": candidate must be a string");
  }
  if (!mline || !mline->is_number_integer() || mline->get<int64_t>() < 0 ||
      mline->get<int64_t>() > 255) {
    return BadMessage(type + ": sdpMLineIndex must be a small non-negative integer");
  }
  return NodeMessage(
      Candidate{candidate->get<std::string>(), static_cast<int>(mline->get<int64_t>())});
}

// The one string member `key` of a message of `type`, which must be there.
Result<std::string> RequiredString(const json& msg, const std::string& type, const char* key) {
  const json* v = Member(msg, key);
  if (!v || !v->is_string()) return BadMessage(type + ": " + key + " must be a string");
  return v->get<std::string>();
}

Result<NodeMessage> ParseError(const json& msg) {
  NodeError e;
  const json* code = Member(msg, "code");
  if (!code || !code->is_string()) return BadMessage("error: code must be a string");
  e.code = code->get<std::string>();
  if (!OptionalString(msg, "message", e.message)) return BadMessage("error: message not a string");
  if (const json* fatal = Member(msg, "fatal")) {
    if (!fatal->is_boolean()) return BadMessage("error: fatal must be a boolean");
    e.fatal = fatal->get<bool>();
  }
  return NodeMessage(std::move(e));
}

// snapshot{seq} or event{event:{seq}}: seq must be an integer >= 0.
Result<NodeMessage> ParseConference(const json& msg, const std::string& type) {
  ConferenceFrame frame{type, std::nullopt};
  if (type == "ack") return NodeMessage(std::move(frame));
  const json* holder = &msg;
  if (type == "event") {
    holder = Member(msg, "event");
    if (!holder || !holder->is_object()) return BadMessage("event: event must be an object");
  }
  const json* seq = Member(*holder, "seq");
  if (!seq || !seq->is_number_unsigned()) {
    return BadMessage(type + ": seq must be an integer >= 0");
  }
  frame.seq = seq->get<std::uint64_t>();
  return NodeMessage(std::move(frame));
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

Result<NodeMessage> ParseNodeMessage(std::string_view text) {
  json msg = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object()) {
    return Error{"bad_json", "frame is not a JSON object"};
  }
  const json* type = Member(msg, "type");
  if (!type || !type->is_string()) return BadMessage("type must be a string");
  const std::string& t = type->get_ref<const std::string&>();

  if (t == "welcome") return ParseWelcome(msg);
  if (t == "offer") {
    const json* sdp = Member(msg, "sdp");
    if (!sdp || !sdp->is_string()) return BadMessage("offer: sdp must be a string");
    return NodeMessage(Offer{sdp->get<std::string>()});
  }
  if (t == "ice") return ParseIce<RemoteCandidate>(msg, t);
  if (t == "uplink_offer") {
    auto sdp = RequiredString(msg, t, "sdp");
    if (!sdp) return sdp.error();
    return NodeMessage(UplinkOffer{std::move(*sdp)});
  }
  if (t == "uplink_ice") return ParseIce<UplinkCandidate>(msg, t);
  if (t == "uplink_state") {
    auto state = RequiredString(msg, t, "state");
    if (!state) return state.error();
    return NodeMessage(UplinkState{std::move(*state)});
  }
  if (t == "uplink_close") {
    auto reason = RequiredString(msg, t, "reason");
    if (!reason) return reason.error();
    return NodeMessage(UplinkClose{std::move(*reason)});
  }
  if (t == "state") {
    const json* state = Member(msg, "state");
    if (!state || !state->is_string()) return BadMessage("state: state must be a string");
    return NodeMessage(StateChange{state->get<std::string>()});
  }
  if (t == "error") return ParseError(msg);
  if (t == "snapshot" || t == "event" || t == "ack") return ParseConference(msg, t);
  return Error{"unknown_type", "unknown message type \"" + t + "\""};
}

std::string HelloMessage(std::string_view token, std::optional<std::uint64_t> last_seq) {
  json hello = {{"type", "hello"}, {"token", token}};
  if (last_seq) hello["last_seq"] = *last_seq;
  return Dump(hello);
}

std::string AnswerMessage(std::string_view sdp) { return Dump({{"type", "answer"}, {"sdp", sdp}}); }

std::string CandidateMessage(int sdp_mline_index, std::string_view candidate) {
  return Dump({{"type", "ice"}, {"candidate", candidate}, {"sdpMLineIndex", sdp_mline_index}});
}

std::string UplinkAnswerMessage(std::string_view sdp) {
  return Dump({{"type", "uplink_answer"}, {"sdp", sdp}});
}

std::string UplinkCandidateMessage(int sdp_mline_index, std::string_view candidate) {
  return Dump(
      {{"type", "uplink_ice"}, {"candidate", candidate}, {"sdpMLineIndex", sdp_mline_index}});
}

bool IsPermanentError(std::string_view code) {
  return code == "bad_token" || code == "wrong_conference" || code == "unknown_point" ||
         code == "replaced";
}

}  // namespace bridgecast::client::signaling
