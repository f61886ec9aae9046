#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "agenda/command.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

inline constexpr std::size_t kMaxCommandBytes = 64 * 1024;

// Strict: a known "type", exactly the fields that type has, each of the right
// JSON type and range. Anything else is bad_command. The text form refuses
// more than kMaxCommandBytes before parsing. Text content is checked later,
// by Conference::Decide (bad_text).
Result<Command> ParseCommand(std::string_view text);
Result<Command> CommandFromJson(const nlohmann::json& j);

nlohmann::json ToJson(const Command& command);

}  // namespace bridgecast::agenda
