#include "signaling/tls_identity.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace bridgecast::signaling {
namespace {

struct FileClose {
  void operator()(FILE* f) const { fclose(f); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PKeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using FilePtr = std::unique_ptr<FILE, FileClose>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, PKeyFree>;

std::string Fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md.data(), &len);
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", md[i]);
    out += hex;
  }
  return out;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Status Generate(const std::string& cert_path, const std::string& key_path) {
  PKeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error{"tls_error", "cannot generate a key"};
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("bridgecast"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("bridgecast node"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::array<char, 256> host{};
  gethostname(host.data(), host.size() - 1);
  const std::string san =
      "DNS:localhost,IP:127.0.0.1,IP:::1" + std::string(host[0] ? ",DNS:" : "") + host.data();
  if (!AddExtension(cert.get(), NID_subject_alt_name, san.c_str()) ||
      // A leaf: a site told to trust it trusts this server, not a CA whose
      // key lies in the state directory.
      !AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !X509_sign(cert.get(), key.get(), EVP_sha256())) {
    return Error{"tls_error", "cannot sign the certificate"};
  }
  const mode_t old_mask = umask(077);
  FilePtr key_file(fopen(key_path.c_str(), "w"));
  FilePtr cert_file(fopen(cert_path.c_str(), "w"));
  umask(old_mask);
  if (!key_file || !cert_file ||
      !PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_X509(cert_file.get(), cert.get())) {
    return Error{"io_error", "cannot write the TLS identity"};
  }
  return Ok{};
}

}  // namespace

Result<TlsIdentity> EnsureTlsIdentity(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"io_error", "cannot create " + dir + ": " + ec.message()};
  TlsIdentity id{dir + "/cert.pem", dir + "/key.pem", ""};
  if (!std::filesystem::exists(id.certificate_path) ||
      !std::filesystem::exists(id.private_key_path)) {
    Status generated = Generate(id.certificate_path, id.private_key_path);
    if (!generated) return generated.error();
  }
  FilePtr cert_file(fopen(id.certificate_path.c_str(), "r"));
  X509Ptr cert(cert_file ? PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return Error{"tls_error", id.certificate_path + " is not a PEM certificate"};
  id.sha256_fingerprint = Fingerprint(cert.get());
  return id;
}

}  // namespace bridgecast::signaling
