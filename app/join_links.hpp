#pragma once

#include <string>

#include "agenda/conference_spec.hpp"
#include "base/result.hpp"
#include "signaling/token.hpp"

namespace bridgecast::app {

// Writes `path` (mode 0600): one link and token per bridge point, plus the
// certificate fingerprint for native clients (docs/protocol.md).
Status WriteJoinLinks(const std::string& path, const agenda::ConferenceSpec& conference,
                      const signaling::TokenSigner& signer, const std::string& base_url,
                      const std::string& certificate_sha256, int64_t issued_at);

// Writes `content` to `path` with mode 0600, atomically (temp file + rename).
Status WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace bridgecast::app
