// The node's TLS as a client sees it: `openssl s_client` (Debian's) against
// the real node on loopback.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "test_node.hpp"

namespace bridgecast::test {
namespace {

struct Handshake {
  int status = -1;
  std::string out;
};

// One handshake with `options`; what s_client printed and its exit status.
Handshake Connect(int port, const std::string& options) {
  const std::string command = "timeout 10 openssl s_client -connect 127.0.0.1:" +
                              std::to_string(port) + " " + options + " </dev/null 2>&1";
  Handshake h;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return h;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) h.out.append(buffer, n);
  h.status = pclose(pipe);
  return h;
}

bool Negotiated(const Handshake& h) {
  return h.status == 0 && h.out.find("Cipher is (NONE)") == std::string::npos &&
         h.out.find("Cipher is ") != std::string::npos;
}

}  // namespace

TEST_CASE("TLS: 1.2 with AEAD and 1.3 only, 1.1 and CBC suites are refused") {
  TestNode node;
  REQUIRE(node.listening());
  const Handshake tls13 = Connect(node.port(), "-tls1_3");
  INFO(tls13.out);
  CHECK(Negotiated(tls13));
  const Handshake tls12 = Connect(node.port(), "-tls1_2");
  INFO(tls12.out);
  CHECK(Negotiated(tls12));
  CHECK(tls12.out.find("GCM") != std::string::npos);
  // The client offers them at security level 0: the refusal is the node's.
  const Handshake tls11 = Connect(node.port(), "-tls1_1 -cipher DEFAULT@SECLEVEL=0");
  INFO(tls11.out);
  CHECK_FALSE(Negotiated(tls11));
  for (const char* cbc : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
                          "ECDHE-ECDSA-AES128-SHA256"}) {
    const Handshake h = Connect(node.port(), std::string("-tls1_2 -cipher ") + cbc);
    INFO(cbc << "\n" << h.out);
    CHECK_FALSE(Negotiated(h));
  }
}

}  // namespace bridgecast::test
