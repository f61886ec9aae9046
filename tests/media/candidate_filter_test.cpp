#include "media/candidate_filter.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace bridgecast::media {
namespace {

std::string Line(const std::string& address, int port = 50000) {
  return "candidate:1 1 UDP 2122260223 " + address + " " + std::to_string(port) + " typ host";
}

}  // namespace

TEST_CASE("candidates the node must never probe are ignored, not refused") {
  for (const char* address : {"224.0.0.1", "239.255.255.250", "255.255.255.255", "0.0.0.0",
                              "127.0.0.1", "::1", "::", "ff02::1"}) {
    INFO(address);
    CHECK_FALSE(CandidateFilter::Probeable(address, false));
  }
  for (const char* address : {"192.168.1.20", "10.0.0.5", "203.0.113.7", "2001:db8::1",
                              "fe80::1", "0b4f2d9e-1b2c.local"}) {
    INFO(address);
    CHECK(CandidateFilter::Probeable(address, false));
  }
  // A node bound to loopback reaches loopback only.
  CHECK(CandidateFilter::Probeable("127.0.0.1", true));
  CHECK(CandidateFilter::Probeable("::1", true));
  CHECK_FALSE(CandidateFilter::Probeable("192.168.1.20", true));
  CHECK_FALSE(CandidateFilter::Probeable("x.local", true));

  CandidateFilter filter(false);
  auto ignored = filter.Admit(Line("239.255.255.250"));
  REQUIRE(ignored);
  CHECK_FALSE(*ignored);
  auto taken = filter.Admit("a=" + Line("192.168.1.20"));
  REQUIRE(taken);
  REQUIRE(*taken);
  CHECK(**taken == Line("192.168.1.20"));
  auto end = filter.Admit("");
  REQUIRE(end);
  CHECK_FALSE(*end);
}

TEST_CASE("a session takes at most 20 candidates, then too_many_candidates") {
  CandidateFilter filter(false);
  for (int i = 0; i < CandidateFilter::kMaxCandidates; ++i) {
    auto taken = filter.Admit(Line("198.51.100.1", 40000 + i));
    REQUIRE(taken);
    CHECK(*taken);
  }
  // Ignored ones cost no probe and are not counted; the next real one is refused.
  CHECK(filter.Admit(Line("224.0.0.1")));
  auto refused = filter.Admit(Line("198.51.100.1", 49999));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "too_many_candidates");
}

TEST_CASE("what is not a candidate line is bad_candidate") {
  CandidateFilter filter(false);
  for (const std::string& bad :
       {std::string("hello"), std::string("candidate:1\n1 UDP"), std::string(2000, 'c')}) {
    auto refused = filter.Admit(bad);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "bad_candidate");
  }
}

}  // namespace bridgecast::media
