#include "agenda/event_json.hpp"

#include "agenda/conference_spec_json.hpp"
#include "agenda/errors.hpp"
#include "agenda/json_fields.hpp"

namespace bridgecast::agenda {

using nlohmann::json;

namespace ev {

// A field name means the same in every event that has it, so one reader and
// one writer, field by field, cover all the payloads.
template <typename T>
void ReadFields(JsonFields& f, T& e) {
  if constexpr (requires { e.question; }) {
    e.question = static_cast<QuestionId>(f.Int("question", 1, JsonFields::kMaxSafeInt));
  }
  if constexpr (requires { e.point; }) e.point = f.String("point");
  if constexpr (requires { e.text; }) e.text = f.String("text");
  if constexpr (requires { e.item; }) {
    // Only a question's item is optional.
    e.item = std::is_same_v<T, QuestionSubmitted> ? f.OptString("item") : f.String("item");
  }
  if constexpr (requires { e.reason; }) e.reason = f.String("reason");
  if constexpr (requires { e.source; }) e.source = f.String("source");
  if constexpr (requires { e.detail; }) e.detail = f.OptString("detail");
  if constexpr (requires { e.rehearsal; }) {
    e.rehearsal = static_cast<std::uint64_t>(f.Int("rehearsal", 1, JsonFields::kMaxSafeInt));
  }
  if constexpr (requires { e.delegates; }) {
    e.delegates = ReadPeople(f, "delegates", true);
    e.headcount = f.Int("headcount", 0, JsonFields::kMaxSafeInt);
  }
}

template <typename T>
void WriteFields(json& j, const T& e) {
  if constexpr (requires { e.question; }) j["question"] = e.question;
  if constexpr (requires { e.point; }) j["point"] = e.point;
  if constexpr (requires { e.text; }) j["text"] = e.text;
  if constexpr (requires { e.item; }) {
    if (!e.item.empty() || !std::is_same_v<T, QuestionSubmitted>) j["item"] = e.item;
  }
  if constexpr (requires { e.reason; }) j["reason"] = e.reason;
  if constexpr (requires { e.source; }) j["source"] = e.source;
  if constexpr (requires { e.detail; }) {
    if (!e.detail.empty()) j["detail"] = e.detail;
  }
  if constexpr (requires { e.rehearsal; }) j["rehearsal"] = e.rehearsal;
  if constexpr (requires { e.delegates; }) {
    j["delegates"] = ToJson(e.delegates);
    j["headcount"] = e.headcount;
  }
}

}  // namespace ev

json ToJson(const Event& event) {
  json j = {{"seq", event.seq}, {"at", ToUnixMillis(event.at)}, {"type", event.type()}};
  std::visit([&](const auto& payload) { WriteFields(j, payload); }, event.payload);
  return j;
}

Result<Event> EventFromJson(const json& j) {
  JsonFields fields(j, errc::kBadEvent, "event");
  Event event;
  event.seq = static_cast<std::uint64_t>(fields.Int("seq", 1, JsonFields::kMaxSafeInt));
  event.at = FromUnixMillis(fields.Int("at", 0, JsonFields::kMaxSafeInt));
  const std::string type = fields.String("type");
  if (!fields.ok()) return fields.Finish().error();
  std::optional<EventPayload> payload = ReadAlternative<EventPayload>(type, fields);
  if (!payload) return Error{errc::kBadEvent, "event: unknown type '" + type + "'"};
  if (Status s = fields.Finish(); !s) return s.error();
  event.payload = std::move(*payload);
  return event;
}

}  // namespace bridgecast::agenda
