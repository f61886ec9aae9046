#include "app/conference_file.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/embedded.hpp"

namespace bridgecast::app {

TEST_CASE("the bundled reference conference loads with 67 points and 7 items") {
  auto spec = LoadConference("");
  REQUIRE(spec.ok());
  CHECK(spec->id == "2023-11-16-quan-triet-to-chuc-xd-dang");
  CHECK(spec->points.size() == 67);
  CHECK(spec->agenda.size() == 7);
  CHECK(spec->chair.name == "Trương Thị Mai");
  CHECK(spec->agenda[4].questions_open);
  CHECK(spec->agenda[1].planned == std::chrono::minutes(40));
  REQUIRE(spec->FindPoint("ha-noi") != nullptr);
  CHECK(spec->FindPoint("ha-noi")->name == "Thành ủy Hà Nội");
  size_t with_delegates = 0;
  for (const auto& p : spec->points) {
    if (!p.expected_delegates.empty()) {
      ++with_delegates;
      CHECK(p.expected_delegates[0].name == "Phạm Văn Hậu");
    }
  }
  CHECK(with_delegates == 1);
}

TEST_CASE("conference files with errors are refused with a clear message") {
  auto base = nlohmann::json::parse(*embedded::Find(kDefaultConference));
  std::string expect;
  SECTION("missing title") {
    base.erase("title");
    expect = "missing field 'title'";
  }
  SECTION("points not an array") {
    base["bridge_points"] = "ha-noi";
    expect = "bridge_points";
  }
  SECTION("duplicate point id") {
    base["bridge_points"].push_back(base["bridge_points"][0]);
    expect = "duplicate bridge point ha-noi";
  }
  SECTION("negative minutes") {
    base["agenda"][0]["planned_minutes"] = -5;
    expect = "planned_minutes";
  }
  SECTION("delegate without a name") {
    base["bridge_points"][0]["expected_delegates"] = {{{"title", "x"}}};
    expect = "missing field 'name'";
  }
  auto spec = ParseConference(base.dump());
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.error().code == "bad_conference");
  CHECK_THAT(spec.error().message, Catch::Contains(expect));
}

TEST_CASE("conference text that is not UTF-8 JSON is refused") {
  CHECK_FALSE(ParseConference("{\"id\": \"a\", \"title\": \"\xff\xfe\"}").ok());
  CHECK_FALSE(ParseConference("not json").ok());
  CHECK_FALSE(ParseConference("[]").ok());
}

TEST_CASE("a missing conference file is an io_error") {
  auto spec = LoadConference("/nonexistent/conference.json");
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.error().code == "io_error");
}

}  // namespace bridgecast::app
