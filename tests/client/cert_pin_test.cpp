#include "client/cert_pin.hpp"

#include <catch2/catch.hpp>

using namespace bridgecast::client;

TEST_CASE("fingerprints format as colon-separated upper-case hex") {
  const unsigned char digest[] = {0x3f, 0x2a, 0x00, 0xff};
  CHECK(FormatFingerprint(digest, sizeof digest) == "3F:2A:00:FF");
}

TEST_CASE("fingerprints compare without regard to case or colons") {
  CHECK(FingerprintsEqual("3F:2A:00:FF", "3f2a00ff"));
  CHECK(FingerprintsEqual("3f:2a:00:ff", "3F:2A:00:FF"));
  CHECK_FALSE(FingerprintsEqual("3F:2A:00:FF", "3F:2A:00:FE"));
  CHECK_FALSE(FingerprintsEqual("", ""));
  CHECK_FALSE(FingerprintsEqual("zz", "zz"));
}

TEST_CASE("a SHA-256 fingerprint has 32 bytes") {
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += i ? ":AB" : "AB";
  CHECK(IsSha256Fingerprint(colons));
  CHECK(IsSha256Fingerprint(std::string(64, 'a')));
  CHECK_FALSE(IsSha256Fingerprint(std::string(62, 'a')));
  CHECK_FALSE(IsSha256Fingerprint(std::string(63, 'a') + "g"));
}
