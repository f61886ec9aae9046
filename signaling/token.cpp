#include "signaling/token.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace bridgecast::signaling {
namespace {

constexpr std::string_view kPrefix = "bc1.";
constexpr size_t kMaxTokenLength = 1024;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error BadToken(std::string message) { return Error{"bad_token", std::move(message)}; }

}  // namespace

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kChair:
      return "chair";
    case Role::kOperator:
      return "operator";
    case Role::kPoint:
      return "point";
    case Role::kObserver:
      return "observer";
    case Role::kReviewer:
      return "reviewer";
    case Role::kPublisher:
      return "publisher";
  }
  return "observer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kChair, Role::kOperator, Role::kPoint, Role::kObserver, Role::kReviewer,
                 Role::kPublisher}) {
    if (ToString(r) == text) return r;
  }
  return std::nullopt;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, so each token has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

Result<TokenSigner> TokenSigner::FromKey(std::vector<unsigned char> key) {
  if (key.size() != kKeySize) return Error{"bad_key", "token key must be 32 bytes"};
  return TokenSigner(std::move(key));
}

std::string TokenSigner::Mac(std::string_view signed_part) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac.data(),
       &mac_len);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_len));
}

std::string TokenSigner::Sign(const TokenClaims& claims) const {
  nlohmann::json payload = {{"c", claims.conference},
                            {"r", std::string(ToString(claims.role))},
                            {"iat", claims.issued_at}};
  if (claims.role == Role::kPoint) payload["p"] = claims.point;
  std::string signed_part = std::string(kPrefix) + Base64UrlEncode(payload.dump());
  return signed_part + "." + Mac(signed_part);
}

Result<TokenClaims> TokenSigner::Verify(std::string_view token) const {
  if (token.size() > kMaxTokenLength) return BadToken("token is too long");
  if (!token.starts_with(kPrefix)) return BadToken("token is not a bridgecast v1 token");
  const size_t dot = token.rfind('.');
  if (dot < kPrefix.size()) return BadToken("token has no signature");
  const std::string_view signed_part = token.substr(0, dot);
  const std::string expected = Mac(signed_part);
  const std::string_view given = token.substr(dot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return BadToken("token signature does not match");
  }
  const auto payload_text = Base64UrlDecode(signed_part.substr(kPrefix.size()));
  if (!payload_text) return BadToken("token payload is not base64url");
  const auto payload = nlohmann::json::parse(*payload_text, nullptr, false);
  if (!payload.is_object() || !payload.contains("c") || !payload["c"].is_string() ||
      !payload.contains("r") || !payload["r"].is_string() || !payload.contains("iat") ||
      !payload["iat"].is_number_integer()) {
    return BadToken("token payload is incomplete");
  }
  TokenClaims claims;
  claims.conference = payload["c"].get<std::string>();
  const auto role = ParseRole(payload["r"].get<std::string>());
  if (!role) return BadToken("token role is unknown");
  claims.role = *role;
  claims.issued_at = payload["iat"].get<int64_t>();
  if (claims.role == Role::kPoint) {
    if (!payload.contains("p") || !payload["p"].is_string()) {
      return BadToken("point token names no point");
    }
    claims.point = payload["p"].get<std::string>();
  }
  return claims;
}

Result<TokenSigner> LoadOrCreateTokenSigner(const std::string& key_path) {
  std::ifstream in(key_path, std::ios::binary);
  if (in) {
    std::vector<unsigned char> key((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    auto signer = TokenSigner::FromKey(std::move(key));
    if (!signer) return Error{"bad_key", key_path + " is not a 32-byte token key"};
    return signer;
  }
  std::vector<unsigned char> key(TokenSigner::kKeySize);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Error{"bad_key", "no randomness for the token key"};
  }
  const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Error{"io_error", "cannot create " + key_path};
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!written) return Error{"io_error", "cannot write " + key_path};
  return TokenSigner::FromKey(std::move(key));
}

}  // namespace bridgecast::signaling
