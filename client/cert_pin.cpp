#include "client/cert_pin.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>

namespace bridgecast::client {
namespace {

// Hex digits only, upper-cased; empty if anything but hex and colons appears.
std::string HexDigits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

bool IsSha256Fingerprint(std::string_view text) { return HexDigits(text).size() == 64; }

std::string FormatFingerprint(const unsigned char* digest, size_t size) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    if (i) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

bool FingerprintsEqual(std::string_view a, std::string_view b) {
  std::string ha = HexDigits(a);
  return !ha.empty() && ha == HexDigits(b);
}

Result<std::string> PeerCertificateSha256(SSL* ssl) {
  if (!ssl) return Error{"tls", "connection has no TLS session"};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return Error{"tls", "peer presented no certificate"};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  int ok = X509_digest(cert, EVP_sha256(), digest, &size);
  X509_free(cert);
  if (!ok) return Error{"tls", "cannot digest the peer certificate"};
  return FormatFingerprint(digest, size);
}

}  // namespace bridgecast::client
