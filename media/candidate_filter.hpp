#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bridgecast::media {

// Decides which of a peer's ICE candidates the node probes. Each one makes
// the node send STUN requests to the address it names, so a peer must not
// turn the node into a scanner: at most kMaxCandidates per session
// (`too_many_candidates` after), and never multicast, broadcast or
// unspecified addresses, nor loopback unless the node itself is bound to
// loopback only (then nothing else). Sans-I/O; one per session.
class CandidateFilter {
 public:
  static constexpr int kMaxCandidates = 20;

  explicit CandidateFilter(bool loopback_only) : loopback_only_(loopback_only) {}

  // The candidate line to hand to webrtcbin (without "a="), none when it is
  // to be ignored, or an error: bad_candidate (also for an m-line other than
  // the session's two, or a candidate before the peer's answer),
  // too_many_candidates.
  Result<std::optional<std::string>> Admit(unsigned mline_index, std::string_view candidate,
                                           bool answered);

  // Whether the node may send to `address` (an IP literal or an mDNS name).
  static bool Probeable(std::string_view address, bool loopback_only);

 private:
  bool loopback_only_;
  int admitted_ = 0;
};

}  // namespace bridgecast::media
