#pragma once

#include <string>

#include "base/result.hpp"

namespace bridgecast::signaling {

struct TlsIdentity {
  std::string certificate_path;
  std::string private_key_path;
  std::string sha256_fingerprint;  // "AB:CD:..." upper-case, for pinning
};

// Uses DIR/cert.pem and DIR/key.pem, generating a self-signed pair (ECDSA
// P-256, for localhost and the loopback addresses) when they do not exist.
Result<TlsIdentity> EnsureTlsIdentity(const std::string& dir);

}  // namespace bridgecast::signaling
