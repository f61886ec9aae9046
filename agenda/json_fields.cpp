#include "agenda/json_fields.hpp"

namespace bridgecast::agenda {

JsonFields::JsonFields(const nlohmann::json& object, const char* error_code, std::string where)
    : j_(object), code_(error_code), where_(std::move(where)) {
  if (!j_.is_object()) Fail("must be a JSON object");
}

void JsonFields::Fail(const std::string& why) {
  if (!error_) error_ = Error{code_, where_ + ": " + why};
}

Status JsonFields::Finish() const {
  if (error_) return *error_;
  if (used_ != j_.size()) return Error{code_, where_ + ": unexpected field"};
  return Ok{};
}

const nlohmann::json* JsonFields::Find(const char* key, bool required) {
  if (error_) return nullptr;
  const auto it = j_.find(key);
  if (it == j_.end()) {
    if (required) Fail(std::string("missing field '") + key + "'");
    return nullptr;
  }
  ++used_;
  return &*it;
}

std::string JsonFields::Str(const char* key, bool required) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return {};
  if (!v->is_string()) {
    Fail(std::string("'") + key + "' must be a string");
    return {};
  }
  return v->get<std::string>();
}

std::int64_t JsonFields::Int(const char* key, std::int64_t min, std::int64_t max) {
  const nlohmann::json* v = Find(key, true);
  if (!v) return min;
  const std::string range = "'" + std::string(key) + "' must be an integer " + std::to_string(min) +
                            ".." + std::to_string(max);
  if (!v->is_number_integer()) {
    Fail(range);
    return min;
  }
  // Unsigned JSON numbers above INT64_MAX must not wrap into range.
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    Fail(range);
    return min;
  }
  const std::int64_t n = v->get<std::int64_t>();
  if (n < min || n > max) {
    Fail(range);
    return min;
  }
  return n;
}

bool JsonFields::OptBool(const char* key) {
  const nlohmann::json* v = Find(key, false);
  if (!v) return false;
  if (!v->is_boolean()) {
    Fail(std::string("'") + key + "' must be a boolean");
    return false;
  }
  return v->get<bool>();
}

const nlohmann::json* JsonFields::Typed(const char* key, bool required,
                                        nlohmann::json::value_t type) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return nullptr;
  if (v->type() != type) {
    Fail(std::string("'") + key + "' must be an " +
         (type == nlohmann::json::value_t::array ? "array" : "object"));
    return nullptr;
  }
  return v;
}

}  // namespace bridgecast::agenda
