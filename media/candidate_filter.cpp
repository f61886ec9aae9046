#include "media/candidate_filter.hpp"

#include <arpa/inet.h>

#include <array>

#include "media/ice_config.hpp"
#include "media/sdp_checks.hpp"

namespace bridgecast::media {

bool CandidateFilter::Probeable(std::string_view address, bool loopback_only) {
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    const unsigned char first = bytes[0];
    const bool loopback = first == 127;
    if (loopback_only) return loopback;
    const bool unspecified = first == 0;
    const bool multicast = first >= 224;  // 224/4 multicast, 240/4 reserved, broadcast
    return !loopback && !unspecified && !multicast;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    const bool loopback = text == "::1" || IsLoopback(text);
    if (loopback_only) return loopback;
    bool zero = true;
    for (unsigned char b : bytes) zero = zero && b == 0;
    const bool multicast = bytes[0] == 0xff;
    return !loopback && !zero && !multicast;
  }
  // A name (a browser's mDNS "….local"): webrtcbin resolves none, so it costs
  // nothing; the loopback-only node takes literal loopback addresses alone.
  return !loopback_only;
}

Result<std::optional<std::string>> CandidateFilter::Admit(unsigned mline_index,
                                                          std::string_view candidate,
                                                          bool answered) {
  if (mline_index > 1) return Error{"bad_candidate", "sdpMLineIndex must be 0 or 1"};
  if (candidate.empty()) return std::optional<std::string>{};  // end of candidates
  if (!answered) return Error{"bad_candidate", "candidates are taken after the answer"};
  auto body = CheckCandidate(candidate);
  if (!body) return body.error();
  if (!Probeable(CandidateAddress(*body), loopback_only_)) return std::optional<std::string>{};
  if (++admitted_ > kMaxCandidates) {
    return Error{"too_many_candidates",
                 "at most " + std::to_string(kMaxCandidates) + " candidates per session"};
  }
  return std::optional<std::string>(std::string(*body));
}

}  // namespace bridgecast::media
