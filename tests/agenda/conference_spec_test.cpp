#include "agenda/conference_spec.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::agenda {
namespace {

ConferenceSpec Small() {
  ConferenceSpec spec;
  spec.id = "hoi-nghi-1";
  spec.title = "Hội nghị";
  spec.agenda = {{"khai-mac", "Khai mạc", std::chrono::minutes(5), false}};
  spec.points = {{"ha-noi", "Thành ủy Hà Nội", "province", {}},
                 {"da-nang", "Thành ủy Đà Nẵng", "province", {}}};
  return spec;
}

}  // namespace

TEST_CASE("a well-formed conference validates and finds its points") {
  const ConferenceSpec spec = Small();
  CHECK(Validate(spec));
  REQUIRE(spec.FindPoint("da-nang") != nullptr);
  CHECK(spec.FindPoint("da-nang")->name == "Thành ủy Đà Nẵng");
  CHECK(spec.FindPoint("hue") == nullptr);
}

TEST_CASE("conference validation rejects bad rosters and ids") {
  ConferenceSpec spec = Small();
  SECTION("duplicate point") { spec.points.push_back(spec.points[0]); }
  SECTION("duplicate agenda item") { spec.agenda.push_back(spec.agenda[0]); }
  SECTION("empty roster") { spec.points.clear(); }
  SECTION("id with capitals") { spec.points[0].id = "Ha-Noi"; }
  SECTION("id with slash") { spec.id = "a/b"; }
  SECTION("empty point name") { spec.points[1].name.clear(); }
  SECTION("no title") { spec.title.clear(); }
  const Status s = Validate(spec);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == "bad_conference");
}

}  // namespace bridgecast::agenda
