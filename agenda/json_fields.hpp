#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.hpp"

namespace bridgecast::agenda {

// Strict, exception-free reading of one JSON object: every field is type- and
// range-checked, the first problem is kept, and Finish() also refuses fields
// nobody asked for. Reads after an error return defaults, so a parser is a
// straight list of reads followed by Finish().
class JsonFields {
 public:
  // Integers JavaScript can hold exactly.
  static constexpr std::int64_t kMaxSafeInt = (std::int64_t{1} << 53) - 1;

  JsonFields(const nlohmann::json& object, const char* error_code, std::string where);

  std::string String(const char* key) { return Str(key, true); }
  std::string OptString(const char* key) { return Str(key, false); }
  std::int64_t Int(const char* key, std::int64_t min, std::int64_t max);
  bool OptBool(const char* key);
  // A required array or object; nullptr (and an error) when absent or mistyped.
  const nlohmann::json* Array(const char* key) {
    return Typed(key, true, nlohmann::json::value_t::array);
  }
  const nlohmann::json* OptArray(const char* key) {
    return Typed(key, false, nlohmann::json::value_t::array);
  }
  const nlohmann::json* Object(const char* key) {
    return Typed(key, true, nlohmann::json::value_t::object);
  }

  void Fail(const std::string& why);
  bool ok() const { return !error_; }
  Status Finish() const;

 private:
  const nlohmann::json* Find(const char* key, bool required);
  std::string Str(const char* key, bool required);
  const nlohmann::json* Typed(const char* key, bool required, nlohmann::json::value_t type);

  const nlohmann::json& j_;
  const char* code_;
  std::string where_;
  std::size_t used_ = 0;
  std::optional<Error> error_;
};

// Picks the alternative of Variant whose kType is `type` and fills it with
// ReadFields(JsonFields&, T&) (found by ADL or in this namespace).
template <typename Variant, std::size_t I = 0>
std::optional<Variant> ReadAlternative(std::string_view type, JsonFields& fields) {
  if constexpr (I == std::variant_size_v<Variant>) {
    return std::nullopt;
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if (T::kType != type) return ReadAlternative<Variant, I + 1>(type, fields);
    T value;
    ReadFields(fields, value);
    return Variant(std::move(value));
  }
}

}  // namespace bridgecast::agenda
