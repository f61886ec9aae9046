#include "agenda/conference_spec_json.hpp"

#include "agenda/errors.hpp"

namespace bridgecast::agenda {

using nlohmann::json;

json ToJson(const std::vector<Person>& people) {
  json out = json::array();
  for (const Person& p : people) out.push_back({{"name", p.name}, {"title", p.title}});
  return out;
}

std::vector<Person> ReadPeople(JsonFields& fields, const char* key, bool required) {
  std::vector<Person> out;
  const json* list = required ? fields.Array(key) : fields.OptArray(key);
  if (!list) return out;
  for (std::size_t i = 0; i < list->size() && fields.ok(); ++i) {
    JsonFields person((*list)[i], "", std::string(key) + "[" + std::to_string(i) + "]");
    Person p;
    p.name = person.String("name");
    p.title = person.OptString("title");
    if (Status s = person.Finish(); !s) {
      fields.Fail(s.error().message);
    } else {
      out.push_back(std::move(p));
    }
  }
  return out;
}

json ToJson(const ConferenceSpec& spec) {
  json agenda = json::array();
  for (const AgendaItemSpec& item : spec.agenda) {
    json j = {{"id", item.id}, {"title", item.title}, {"planned_minutes", item.planned.count()}};
    if (item.questions_open) j["qa"] = true;
    agenda.push_back(std::move(j));
  }
  json points = json::array();
  for (const BridgePointSpec& point : spec.points) {
    json j = {{"id", point.id}, {"name", point.name}, {"kind", point.kind}};
    if (!point.expected_delegates.empty()) {
      j["expected_delegates"] = ToJson(point.expected_delegates);
    }
    points.push_back(std::move(j));
  }
  json out = {{"id", spec.id},
              {"title", spec.title},
              {"date", spec.date},
              {"timezone", spec.timezone},
              {"host",
               {{"id", spec.host_id},
                {"name", spec.host_name},
                {"chair", {{"name", spec.chair.name}, {"title", spec.chair.title}}}}},
              {"agenda", std::move(agenda)},
              {"bridge_points", std::move(points)}};
  if (spec.planned_start) out["start"] = ToIso8601(*spec.planned_start);
  return out;
}

Result<ConferenceSpec> ConferenceSpecFromJson(const json& j) {
  ConferenceSpec spec;
  JsonFields top(j, errc::kBadConference, "conference");
  spec.id = top.String("id");
  spec.title = top.String("title");
  spec.date = top.String("date");
  if (const std::string start = top.OptString("start"); !start.empty()) {
    spec.planned_start = ParseIso8601(start);
    if (!spec.planned_start) {
      top.Fail("'start' must be a date and time with its UTC offset, e.g. 2023-11-16T08:00+07:00");
    }
  }
  spec.timezone = top.OptString("timezone");
  if (const json* host = top.Object("host")) {
    JsonFields h(*host, errc::kBadConference, "host");
    spec.host_id = h.String("id");
    spec.host_name = h.String("name");
    if (const json* chair = h.Object("chair")) {
      JsonFields c(*chair, errc::kBadConference, "host.chair");
      spec.chair.name = c.String("name");
      spec.chair.title = c.OptString("title");
      if (Status s = c.Finish(); !s) return s.error();
    }
    if (Status s = h.Finish(); !s) return s.error();
  }
  if (const json* agenda = top.Array("agenda")) {
    for (std::size_t i = 0; i < agenda->size(); ++i) {
      JsonFields f((*agenda)[i], errc::kBadConference, "agenda[" + std::to_string(i) + "]");
      AgendaItemSpec item;
      item.id = f.String("id");
      item.title = f.String("title");
      item.planned = std::chrono::minutes(f.Int("planned_minutes", 0, 24 * 60));
      item.questions_open = f.OptBool("qa");
      if (Status s = f.Finish(); !s) return s.error();
      spec.agenda.push_back(std::move(item));
    }
  }
  if (const json* points = top.Array("bridge_points")) {
    for (std::size_t i = 0; i < points->size(); ++i) {
      JsonFields f((*points)[i], errc::kBadConference, "bridge_points[" + std::to_string(i) + "]");
      BridgePointSpec point;
      point.id = f.String("id");
      point.name = f.String("name");
      point.kind = f.OptString("kind");
      point.expected_delegates = ReadPeople(f, "expected_delegates", false);
      if (Status s = f.Finish(); !s) return s.error();
      spec.points.push_back(std::move(point));
    }
  }
  if (Status s = top.Finish(); !s) return s.error();
  if (Status s = Validate(spec); !s) return s.error();
  return spec;
}

}  // namespace bridgecast::agenda
