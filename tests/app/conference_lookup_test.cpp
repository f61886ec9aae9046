#include "app/conference_lookup.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "../agenda/test_support.hpp"
#include "agenda/conference_spec_json.hpp"
#include "agenda/store/conference_store.hpp"

namespace bridgecast::app {

TEST_CASE("an offline command finds its conference by file, bundled id or journal") {
  agenda::test::TempDir dir;
  const std::string state = dir.File("state");
  std::filesystem::create_directories(state);

  auto bundled = FindConference("2023-11-16-quan-triet-to-chuc-xd-dang", state);
  REQUIRE(bundled.ok());
  CHECK(bundled->points.size() == 67);
  CHECK_FALSE(std::filesystem::exists(JournalPath(state)));  // looking never creates one

  const agenda::ConferenceSpec small = agenda::test::SmallSpec();
  CHECK(FindConference(small.id, state).error().code == "unknown_conference");

  const std::string file = dir.File("small.json");
  std::ofstream(file) << agenda::ToJson(small).dump();
  auto from_file = FindConference(file, state);
  REQUIRE(from_file.ok());
  CHECK(*from_file == small);

  {
    auto store = agenda::ConferenceStore::Open(JournalPath(state));
    REQUIRE(store.ok());
    REQUIRE((*store)->Add(small));
  }
  auto journaled = FindConference(small.id, state);
  REQUIRE(journaled.ok());
  CHECK(*journaled == small);
}

}  // namespace bridgecast::app
