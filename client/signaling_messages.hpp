#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.hpp"

// The point's side of the signaling protocol (docs/protocol.md): parsing what
// the node sends, building what the point sends. Pure, no I/O.
namespace bridgecast::client::signaling {

struct Welcome {
  std::string conference_id;
  std::string conference_title;
  std::string point_id;
  std::string point_name;
  std::string session;
};
struct Offer {
  std::string sdp;
};
struct RemoteCandidate {
  std::string candidate;  // empty means end of candidates
  int sdp_mline_index = 0;
};
struct StateChange {
  std::string state;  // new, connecting, connected, disconnected, failed, closed
};
struct NodeError {
  std::string code;
  std::string message;
  bool fatal = false;
};

// snapshot, event, ack: the conference's state, for clients that show it.
struct ConferenceFrame {
  std::string type;
  // The event seq a snapshot reflects, or an event's own; none for an ack.
  std::optional<std::uint64_t> seq;
};

// The floor's uplink, a second peer connection (docs/protocol.md, "The
// floor's uplink"): the node offers it to the point holding the floor.
struct UplinkOffer {
  std::string sdp;
};
struct UplinkCandidate {
  std::string candidate;  // empty means end of candidates
  int sdp_mline_index = 0;
};
struct UplinkState {
  std::string state;  // as StateChange
};
struct UplinkClose {
  // revoked, disconnected, conference_ended, reset, granted,
  // unsupported_codec, media_failed; others may come.
  std::string reason;
};

using NodeMessage = std::variant<Welcome, Offer, RemoteCandidate, StateChange, NodeError,
                                 ConferenceFrame, UplinkOffer, UplinkCandidate, UplinkState,
                                 UplinkClose>;

// Errors: bad_json (not a JSON object), bad_message (missing or mistyped
// field), unknown_type.
Result<NodeMessage> ParseNodeMessage(std::string_view text);

// `last_seq`: the newest event seq seen, to resume after a reconnect.
std::string HelloMessage(std::string_view token,
                         std::optional<std::uint64_t> last_seq = std::nullopt);
std::string AnswerMessage(std::string_view sdp);
std::string CandidateMessage(int sdp_mline_index, std::string_view candidate);
std::string UplinkAnswerMessage(std::string_view sdp);
std::string UplinkCandidateMessage(int sdp_mline_index, std::string_view candidate);

// Errors after which reconnecting cannot help.
bool IsPermanentError(std::string_view code);

}  // namespace bridgecast::client::signaling
