#include "signaling/tls_identity.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <cstdio>
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

TEST_CASE("the generated certificate is a server's leaf, not a CA") {
  const auto dir = std::filesystem::temp_directory_path() / "bridgecast-tls-leaf-test";
  std::filesystem::remove_all(dir);
  auto identity = EnsureTlsIdentity(dir.string());
  REQUIRE(identity.ok());
  FILE* file = fopen(identity->certificate_path.c_str(), "r");
  REQUIRE(file);
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  fclose(file);
  REQUIRE(cert);
  CHECK(X509_check_ca(cert) == 0);
  const uint32_t flags = X509_get_extension_flags(cert);
  CHECK((flags & EXFLAG_BCONS) != 0);  // basicConstraints present (CA:FALSE)
  CHECK((flags & EXFLAG_CA) == 0);
  CHECK((X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) != 0);
  CHECK((X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) == 0);
  CHECK((X509_get_extended_key_usage(cert) & XKU_SSL_SERVER) != 0);
  CHECK(X509_check_host(cert, "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(cert, "127.0.0.1", 0) == 1);
  X509_free(cert);
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
