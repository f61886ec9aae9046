#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agenda/timestamp.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

struct Person {
  std::string name;
  std::string title;

  bool operator==(const Person&) const = default;
};

struct AgendaItemSpec {
  std::string id;
  std::string title;
  std::chrono::minutes planned{0};
  bool questions_open = false;  // an item for questions from the points

  bool operator==(const AgendaItemSpec&) const = default;
};

struct BridgePointSpec {
  std::string id;
  std::string name;
  std::string kind;  // "province", "central", ...
  std::vector<Person> expected_delegates;

  bool operator==(const BridgePointSpec&) const = default;
};

// A conference as planned: who chairs it, the agenda, the roster of points.
struct ConferenceSpec {
  std::string id;
  std::string title;
  std::string date;
  std::optional<Timestamp> planned_start;  // the file's "start", if it gives one
  std::string timezone;
  std::string host_id;
  std::string host_name;
  Person chair;
  std::vector<AgendaItemSpec> agenda;
  std::vector<BridgePointSpec> points;

  const BridgePointSpec* FindPoint(std::string_view point_id) const;

  bool operator==(const ConferenceSpec&) const = default;
};

// Ids are URL- and token-safe ([a-z0-9-], 1..64), unique, and the roster is
// not empty. Errors have code "bad_conference".
Status Validate(const ConferenceSpec& spec);

}  // namespace bridgecast::agenda
