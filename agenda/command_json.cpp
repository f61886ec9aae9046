#include "agenda/command_json.hpp"

#include "agenda/conference_spec_json.hpp"
#include "agenda/errors.hpp"
#include "agenda/json_fields.hpp"

namespace bridgecast::agenda {

using nlohmann::json;

// Field readers and writers per command, found by ADL from ReadAlternative.
namespace cmd {

template <typename T>
void ReadFields(JsonFields&, T&) {}
template <typename T>
void WriteFields(json&, const T&) {}

void ReadFields(JsonFields& f, GotoItem& c) { c.item = f.String("item"); }
void WriteFields(json& j, const GotoItem& c) { j["item"] = c.item; }

void ReadFields(JsonFields& f, CheckIn& c) {
  c.point = f.OptString("point");
  c.delegates = ReadPeople(f, "delegates", true);
  c.headcount = f.Int("headcount", 0, JsonFields::kMaxSafeInt);
}
void WriteFields(json& j, const CheckIn& c) {
  if (!c.point.empty()) j["point"] = c.point;
  j["delegates"] = ToJson(c.delegates);
  j["headcount"] = c.headcount;
}

void ReadFields(JsonFields& f, JoinPoint& c) { c.point = f.String("point"); }
void WriteFields(json& j, const JoinPoint& c) { j["point"] = c.point; }
void ReadFields(JsonFields& f, LeavePoint& c) { c.point = f.String("point"); }
void WriteFields(json& j, const LeavePoint& c) { j["point"] = c.point; }

void ReadFields(JsonFields& f, LowerHand& c) { c.point = f.OptString("point"); }
void WriteFields(json& j, const LowerHand& c) {
  if (!c.point.empty()) j["point"] = c.point;
}

void ReadFields(JsonFields& f, SubmitQuestion& c) {
  c.text = f.String("text");
  c.item = f.OptString("item");
}
void WriteFields(json& j, const SubmitQuestion& c) {
  j["text"] = c.text;
  if (!c.item.empty()) j["item"] = c.item;
}

QuestionId ReadQuestion(JsonFields& f) {
  return static_cast<QuestionId>(f.Int("question", 1, JsonFields::kMaxSafeInt));
}
void ReadFields(JsonFields& f, ApproveQuestion& c) { c.question = ReadQuestion(f); }
void WriteFields(json& j, const ApproveQuestion& c) { j["question"] = c.question; }
void ReadFields(JsonFields& f, AnswerQuestion& c) { c.question = ReadQuestion(f); }
void WriteFields(json& j, const AnswerQuestion& c) { j["question"] = c.question; }
void ReadFields(JsonFields& f, RejectQuestion& c) {
  c.question = ReadQuestion(f);
  c.reason = f.String("reason");
}
void WriteFields(json& j, const RejectQuestion& c) {
  j["question"] = c.question;
  j["reason"] = c.reason;
}

void ReadFields(JsonFields& f, GrantFloor& c) { c.point = f.String("point"); }
void WriteFields(json& j, const GrantFloor& c) { j["point"] = c.point; }

void ReadFields(JsonFields& f, FailRecording& c) { c.detail = f.String("detail"); }
void ReadFields(JsonFields& f, SelectSource& c) { c.source = f.String("source"); }
void WriteFields(json& j, const SelectSource& c) { j["source"] = c.source; }
void WriteFields(json& j, const FailRecording& c) { j["detail"] = c.detail; }

}  // namespace cmd

Result<Command> ParseCommand(std::string_view text) {
  if (text.size() > kMaxCommandBytes) return Error{errc::kBadCommand, "command: too large"};
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error{errc::kBadCommand, "command: not valid JSON in UTF-8"};
  return CommandFromJson(j);
}

Result<Command> CommandFromJson(const json& j) {
  JsonFields fields(j, errc::kBadCommand, "command");
  const std::string type = fields.String("type");
  if (!fields.ok()) return fields.Finish().error();
  std::optional<Command> command = ReadAlternative<Command>(type, fields);
  if (!command) return Error{errc::kBadCommand, "command: unknown type '" + type + "'"};
  if (Status s = fields.Finish(); !s) return s.error();
  return std::move(*command);
}

json ToJson(const Command& command) {
  return std::visit(
      [](const auto& c) {
        json j = {{"type", std::decay_t<decltype(c)>::kType}};
        WriteFields(j, c);
        return j;
      },
      command);
}

}  // namespace bridgecast::agenda
