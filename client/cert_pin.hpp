#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "base/result.hpp"

// Certificate pinning for the node's self-signed TLS certificate.
namespace bridgecast::client {

// True for 32 bytes of hex, with or without colons between bytes.
bool IsSha256Fingerprint(std::string_view text);

// Upper-case hex, colon separated: the form join-links.json uses.
std::string FormatFingerprint(const unsigned char* digest, size_t size);

// Case- and colon-insensitive comparison.
bool FingerprintsEqual(std::string_view a, std::string_view b);

// SHA-256 fingerprint of the certificate the peer presented on `ssl`.
Result<std::string> PeerCertificateSha256(SSL* ssl);

}  // namespace bridgecast::client
