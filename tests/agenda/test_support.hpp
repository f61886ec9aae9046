#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agenda/conference.hpp"
#include "agenda/conference_spec_json.hpp"
#include "agenda/errors.hpp"
#include "tests/support/temp_dir.hpp"

namespace bridgecast::agenda::test {

// The injected wall clock of the tests: starts at 2023-11-16 08:00 in Hà Nội.
struct ManualWallClock {
  Timestamp now = FromUnixMillis(1700096400000);
  void Advance(Millis d) { now += d; }
};

inline ConferenceSpec SmallSpec() {
  ConferenceSpec spec;
  spec.id = "hoi-nghi-1";
  spec.title = "Hội nghị quán triệt";
  spec.date = "2023-11-16";
  spec.timezone = "Asia/Ho_Chi_Minh";
  spec.host_id = "trung-uong";
  spec.host_name = "Điểm cầu Trung ương";
  spec.chair = {"Trương Thị Mai", "Trưởng Ban Tổ chức Trung ương"};
  spec.agenda = {{"khai-mac", "Khai mạc", std::chrono::minutes(5), false},
                 {"qd-124", "Quán triệt Quy định số 124-QĐ/TW", std::chrono::minutes(40), false},
                 {"trao-doi", "Trao đổi, giải đáp ý kiến", std::chrono::minutes(30), true}};
  spec.points = {{"ha-noi", "Thành ủy Hà Nội", "province", {}},
                 {"da-nang", "Thành ủy Đà Nẵng", "province", {}},
                 {"soc-trang", "Tỉnh ủy Sóc Trăng", "province", {{"Phạm Văn Hậu", "Phó Bí thư"}}}};
  return spec;
}

// The reference conference the product ships (67 points, 7 items).
inline ConferenceSpec ReferenceConference() {
  std::ifstream in(BRIDGECAST_SOURCE_DIR "/deploy/conferences/conference-2023-11-16.json",
                   std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto spec = ConferenceSpecFromJson(nlohmann::json::parse(text.str(), nullptr, false));
  REQUIRE(spec);
  return *spec;
}

// A conference driven the way ConferenceStore drives it, minus the disk:
// Decide, number the events, Apply.
class Harness {
 public:
  explicit Harness(ConferenceSpec spec = SmallSpec()) : conference(std::move(spec)) {}

  Result<std::vector<Event>> Run(const Command& command, const Actor& actor) {
    auto events = conference.Decide(command, actor, clock.now);
    if (!events) return events;
    for (Event& e : *events) {
      e.seq = ++seq;
      const Status applied = conference.Apply(e);
      REQUIRE(applied);
      log.push_back(e);
    }
    return events;
  }

  // "ok" or the refusal's code; checks that a refusal changed nothing.
  std::string Code(const Command& command, const Actor& actor) {
    const ConferenceState before = conference.state();
    auto events = Run(command, actor);
    if (events) return "ok";
    CHECK(conference.state() == before);
    CHECK_FALSE(events.error().message.empty());
    return events.error().code;
  }

  void Ok(const Command& command, const Actor& actor) {
    auto events = Run(command, actor);
    INFO((events ? std::string() : events.error().code + ": " + events.error().message));
    REQUIRE(events);
  }

  // A live conference with ha-noi and da-nang connected.
  void GoLive() {
    Ok(cmd::JoinPoint{"ha-noi"}, Actor::System());
    Ok(cmd::JoinPoint{"da-nang"}, Actor::System());
    Ok(cmd::StartConference{}, Actor::Chair());
  }

  const ConferenceState& state() const { return conference.state(); }

  Conference conference;
  ManualWallClock clock;
  std::uint64_t seq = 0;
  std::vector<Event> log;
};

using bridgecast::test::TempDir;

}  // namespace bridgecast::agenda::test
