#include "signaling/tls_identity.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

namespace bridgecast::signaling {

TEST_CASE("a self-signed identity is generated once and then reused") {
  const auto dir = std::filesystem::temp_directory_path() / "bridgecast-tls-test";
  std::filesystem::remove_all(dir);
  auto first = EnsureTlsIdentity(dir.string());
  REQUIRE(first.ok());
  CHECK(std::regex_match(first->sha256_fingerprint, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")));
  CHECK((std::filesystem::status(first->private_key_path).permissions() &
         std::filesystem::perms::group_read) == std::filesystem::perms::none);
  auto second = EnsureTlsIdentity(dir.string());
  REQUIRE(second.ok());
  CHECK(second->sha256_fingerprint == first->sha256_fingerprint);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a corrupt certificate is reported, not replaced") {
  const auto dir = std::filesystem::temp_directory_path() / "bridgecast-tls-bad-test";
  std::filesystem::remove_all(dir);
  REQUIRE(EnsureTlsIdentity(dir.string()).ok());
  std::filesystem::resize_file(dir / "cert.pem", 10);
  auto broken = EnsureTlsIdentity(dir.string());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "tls_error");
  std::filesystem::remove_all(dir);
}

}  // namespace bridgecast::signaling
