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
  auto ignored = filter.Admit(0, Line("239.255.255.250"), true);
  REQUIRE(ignored);
  CHECK_FALSE(*ignored);
  auto taken = filter.Admit(0, "a=" + Line("192.168.1.20"), true);
  REQUIRE(taken);
  REQUIRE(*taken);
  CHECK(**taken == Line("192.168.1.20"));
  auto end = filter.Admit(0, "", true);
  REQUIRE(end);
  CHECK_FALSE(*end);
}

TEST_CASE("a session takes at most 20 candidates, then too_many_candidates") {
  CandidateFilter filter(false);
  for (int i = 0; i < CandidateFilter::kMaxCandidates; ++i) {
    auto taken = filter.Admit(0, Line("198.51.100.1", 40000 + i), true);
    REQUIRE(taken);
    CHECK(*taken);
  }
  // Ignored ones cost no probe and are not counted; the next real one is refused.
  CHECK(filter.Admit(0, Line("224.0.0.1"), true));
  auto refused = filter.Admit(0, Line("198.51.100.1", 49999), true);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "too_many_candidates");
}

TEST_CASE("a third m-line or a candidate before the answer is bad_candidate") {
  CandidateFilter filter(false);
  auto third = filter.Admit(2, Line("192.168.1.20"), true);
  REQUIRE_FALSE(third);
  CHECK(third.error().code == "bad_candidate");
  auto early = filter.Admit(0, Line("192.168.1.20"), false);
  REQUIRE_FALSE(early);
  CHECK(early.error().code == "bad_candidate");
  // The end of candidates is fine at any time.
  CHECK(filter.Admit(1, "", false));
}

TEST_CASE("what is not a candidate line is bad_candidate") {
  CandidateFilter filter(false);
  for (const std::string& bad :
       {std::string("hello"), std::string("candidate:1\n1 UDP"), std::string(2000, 'c')}) {
    auto refused = filter.Admit(0, bad, true);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "bad_candidate");
  }
}

}  // namespace bridgecast::media
