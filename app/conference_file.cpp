#include "app/conference_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/embedded.hpp"

namespace bridgecast::app {
namespace {

using nlohmann::json;

Error Bad(std::string message) { return Error{"bad_conference", std::move(message)}; }

// Reads a required string field; `where` names the object for the message.
Result<std::string> Text(const json& j, const char* key, const std::string& where,
                         bool required = true) {
  const auto it = j.find(key);
  if (it == j.end()) {
    if (!required) return std::string();
    return Bad(where + ": missing field '" + key + "'");
  }
  if (!it->is_string()) return Bad(where + ": field '" + key + "' must be a string");
  return it->get<std::string>();
}

Result<agenda::Person> ParsePerson(const json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where + " must be an object");
  auto name = Text(j, "name", where);
  if (!name) return name.error();
  auto title = Text(j, "title", where, false);
  if (!title) return title.error();
  return agenda::Person{*name, *title};
}

}  // namespace

Result<agenda::ConferenceSpec> ParseConference(std::string_view json_text) {
  // nlohmann refuses invalid UTF-8, so every accepted string is UTF-8.
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return Bad("not valid JSON in UTF-8");
  if (!j.is_object()) return Bad("the conference must be a JSON object");
  agenda::ConferenceSpec spec;
  for (auto [field, key] : {std::pair{&spec.id, "id"}, std::pair{&spec.title, "title"},
                            std::pair{&spec.date, "date"}, std::pair{&spec.timezone, "timezone"}}) {
    auto value = Text(j, key, "conference", key != std::string_view("timezone"));
    if (!value) return value.error();
    *field = *value;
  }
  const auto host = j.find("host");
  if (host == j.end() || !host->is_object()) return Bad("conference: missing object 'host'");
  auto host_id = Text(*host, "id", "host");
  if (!host_id) return host_id.error();
  auto host_name = Text(*host, "name", "host");
  if (!host_name) return host_name.error();
  spec.host_id = *host_id;
  spec.host_name = *host_name;
  if (!host->contains("chair")) return Bad("host: missing object 'chair'");
  auto chair = ParsePerson((*host)["chair"], "host.chair");
  if (!chair) return chair.error();
  spec.chair = *chair;

  const auto agenda = j.find("agenda");
  if (agenda == j.end() || !agenda->is_array()) return Bad("conference: missing array 'agenda'");
  for (size_t i = 0; i < agenda->size(); ++i) {
    const json& item = (*agenda)[i];
    const std::string where = "agenda[" + std::to_string(i) + "]";
    if (!item.is_object()) return Bad(where + " must be an object");
    auto id = Text(item, "id", where);
    if (!id) return id.error();
    auto title = Text(item, "title", where);
    if (!title) return title.error();
    const auto minutes = item.find("planned_minutes");
    if (minutes == item.end() || !minutes->is_number_integer() || minutes->get<int64_t>() < 0 ||
        minutes->get<int64_t>() > 24 * 60) {
      return Bad(where + ": 'planned_minutes' must be an integer 0..1440");
    }
    const auto qa = item.find("qa");
    if (qa != item.end() && !qa->is_boolean()) return Bad(where + ": 'qa' must be a boolean");
    spec.agenda.push_back(agenda::AgendaItemSpec{*id, *title,
                                                 std::chrono::minutes(minutes->get<int64_t>()),
                                                 qa != item.end() && qa->get<bool>()});
  }

  const auto points = j.find("bridge_points");
  if (points == j.end() || !points->is_array()) {
    return Bad("conference: missing array 'bridge_points'");
  }
  for (size_t i = 0; i < points->size(); ++i) {
    const json& p = (*points)[i];
    const std::string where = "bridge_points[" + std::to_string(i) + "]";
    if (!p.is_object()) return Bad(where + " must be an object");
    agenda::BridgePointSpec point;
    for (auto [field, key] : {std::pair{&point.id, "id"}, std::pair{&point.name, "name"},
                              std::pair{&point.kind, "kind"}}) {
      auto value = Text(p, key, where, key != std::string_view("kind"));
      if (!value) return value.error();
      *field = *value;
    }
    if (const auto delegates = p.find("expected_delegates"); delegates != p.end()) {
      if (!delegates->is_array()) return Bad(where + ": 'expected_delegates' must be an array");
      for (size_t k = 0; k < delegates->size(); ++k) {
        auto person = ParsePerson((*delegates)[k],
                                  where + ".expected_delegates[" + std::to_string(k) + "]");
        if (!person) return person.error();
        point.expected_delegates.push_back(*person);
      }
    }
    spec.points.push_back(std::move(point));
  }
  Status valid = agenda::Validate(spec);
  if (!valid) return valid.error();
  return spec;
}

Result<agenda::ConferenceSpec> LoadConference(const std::string& path) {
  if (path.empty()) return ParseConference(*embedded::Find(kDefaultConference));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"io_error", "cannot read conference file " + path};
  std::ostringstream text;
  text << in.rdbuf();
  auto spec = ParseConference(text.str());
  if (!spec) return Error{spec.error().code, path + ": " + spec.error().message};
  return spec;
}

}  // namespace bridgecast::app
