#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agenda/conference_spec.hpp"
#include "base/result.hpp"
#include "signaling/token.hpp"

namespace bridgecast::app {

// One link and token per bridge point, plus the certificate fingerprint for
// native clients (docs/protocol.md, join-links.json).
nlohmann::json JoinLinks(const agenda::ConferenceSpec& conference,
                         const signaling::TokenSigner& signer, const std::string& base_url,
                         const std::string& certificate_sha256, int64_t issued_at);

// Writes `content` to `path` with mode 0600, atomically (temp file + rename).
Status WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace bridgecast::app
