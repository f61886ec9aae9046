#include "agenda/conference_spec.hpp"

#include <algorithm>
#include <set>

namespace bridgecast::agenda {
namespace {

bool IsValidId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

Error Bad(std::string message) { return Error{"bad_conference", std::move(message)}; }

}  // namespace

const BridgePointSpec* ConferenceSpec::FindPoint(std::string_view point_id) const {
  for (const BridgePointSpec& p : points) {
    if (p.id == point_id) return &p;
  }
  return nullptr;
}

Status Validate(const ConferenceSpec& spec) {
  if (!IsValidId(spec.id)) return Bad("conference id '" + spec.id + "' is not [a-z0-9-]{1,64}");
  if (spec.title.empty()) return Bad("conference has no title");
  if (spec.points.empty()) return Bad("conference has no bridge points");
  std::set<std::string> seen;
  for (const AgendaItemSpec& item : spec.agenda) {
    if (!IsValidId(item.id)) return Bad("agenda item id '" + item.id + "' is not [a-z0-9-]{1,64}");
    if (!seen.insert("agenda:" + item.id).second) return Bad("duplicate agenda item " + item.id);
    if (item.title.empty()) return Bad("agenda item " + item.id + " has no title");
    if (item.planned.count() < 0) return Bad("agenda item " + item.id + " has negative minutes");
  }
  for (const BridgePointSpec& point : spec.points) {
    if (!IsValidId(point.id)) return Bad("bridge point id '" + point.id + "' is not [a-z0-9-]{1,64}");
    if (!seen.insert("point:" + point.id).second) return Bad("duplicate bridge point " + point.id);
    if (point.name.empty()) return Bad("bridge point " + point.id + " has no name");
  }
  return Ok{};
}

}  // namespace bridgecast::agenda
