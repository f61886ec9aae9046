#include "signaling/token.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

namespace bridgecast::signaling {
namespace {

TokenSigner Signer(unsigned char fill) {
  auto signer = TokenSigner::FromKey(std::vector<unsigned char>(32, fill));
  REQUIRE(signer.ok());
  return *signer;
}

}  // namespace

TEST_CASE("base64url round-trips every byte and rejects other text") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
    const std::string part = all.substr(0, n);
    const std::string encoded = Base64UrlEncode(part);
    CHECK(encoded.find_first_of("+/=") == std::string::npos);
    CHECK(Base64UrlDecode(encoded) == part);
  }
  CHECK_FALSE(Base64UrlDecode("a").has_value());
  CHECK_FALSE(Base64UrlDecode("ab+c").has_value());
  CHECK_FALSE(Base64UrlDecode("ab=").has_value());
  // Non-zero leftover bits would give one payload two encodings.
  CHECK_FALSE(Base64UrlDecode("ab").has_value());
}

TEST_CASE("a signed token verifies to the same claims") {
  const TokenSigner signer = Signer(1);
  const TokenClaims claims{"conf-1", Role::kPoint, "ha-noi", 1700000000};
  const std::string token = signer.Sign(claims);
  CHECK(token.starts_with("bc1."));
  auto back = signer.Verify(token);
  REQUIRE(back.ok());
  CHECK(back->conference == "conf-1");
  CHECK(back->role == Role::kPoint);
  CHECK(back->point == "ha-noi");
  CHECK(back->issued_at == 1700000000);
}

TEST_CASE("tampered, foreign and malformed tokens are refused with bad_token") {
  const TokenSigner signer = Signer(1);
  const std::string token = signer.Sign({"conf-1", Role::kOperator, "", 1});
  std::string bad;
  SECTION("other key") { bad = Signer(2).Sign({"conf-1", Role::kOperator, "", 1}); }
  SECTION("flipped signature") {
    bad = token;
    bad.back() = bad.back() == 'A' ? 'B' : 'A';
  }
  SECTION("payload swapped") {
    const std::string other = signer.Sign({"conf-2", Role::kChair, "", 1});
    bad = other.substr(0, other.rfind('.')) + token.substr(token.rfind('.'));
  }
  SECTION("no prefix") { bad = token.substr(4); }
  SECTION("empty") { bad = ""; }
  SECTION("huge") { bad = "bc1." + std::string(5000, 'a') + ".x"; }
  SECTION("no signature") { bad = "bc1.abc"; }
  auto r = signer.Verify(bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_token");
}

TEST_CASE("roles have stable names") {
  for (Role r : {Role::kChair, Role::kOperator, Role::kPoint, Role::kObserver, Role::kReviewer,
                 Role::kPublisher}) {
    CHECK(ParseRole(ToString(r)) == r);
  }
  CHECK_FALSE(ParseRole("admin").has_value());
}

TEST_CASE("the token key is created once with mode 0600 and reused") {
  const auto dir = std::filesystem::temp_directory_path() / "bridgecast-token-key-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "token.key").string();
  auto first = LoadOrCreateTokenSigner(path);
  REQUIRE(first.ok());
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto second = LoadOrCreateTokenSigner(path);
  REQUIRE(second.ok());
  const std::string token = first->Sign({"c", Role::kChair, "", 0});
  CHECK(second->Verify(token).ok());
  std::filesystem::resize_file(path, 5);
  auto broken = LoadOrCreateTokenSigner(path);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "bad_key");
  std::filesystem::remove_all(dir);
}

}  // namespace bridgecast::signaling
