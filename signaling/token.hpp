#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::signaling {

// kPublisher: a WHIP publisher (OBS) sending the program's source over HTTP;
// it has no place on the WebSocket.
enum class Role { kChair, kOperator, kPoint, kObserver, kReviewer, kPublisher };
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);

struct TokenClaims {
  std::string conference;
  Role role = Role::kObserver;
  std::string point;  // only for Role::kPoint
  int64_t issued_at = 0;  // Unix seconds
};

// Signs and verifies bearer tokens (HMAC-SHA256, see docs/protocol.md).
class TokenSigner {
 public:
  static constexpr size_t kKeySize = 32;
  static Result<TokenSigner> FromKey(std::vector<unsigned char> key);

  std::string Sign(const TokenClaims& claims) const;
  // Rejects cheaply: size, prefix and signature before any JSON parsing.
  Result<TokenClaims> Verify(std::string_view token) const;

 private:
  explicit TokenSigner(std::vector<unsigned char> key) : key_(std::move(key)) {}
  std::string Mac(std::string_view signed_part) const;

  std::vector<unsigned char> key_;
};

// Reads STATE_DIR/token.key, creating it (mode 0600) with random bytes if absent.
Result<TokenSigner> LoadOrCreateTokenSigner(const std::string& key_path);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace bridgecast::signaling
