#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bridgecast::agenda {

struct TextRule {
  const char* what;       // "delegate name", for the message
  std::size_t max_bytes;  // after normalisation
  std::size_t max_chars;  // code points after normalisation
  bool allow_newline = false;
  bool allow_empty = false;
};

// Valid UTF-8 in, NFC out, surrounding spaces trimmed; refuses control
// characters (except '\n' when allowed) and over-long text. Error code bad_text.
Result<std::string> CleanText(std::string_view raw, const TextRule& rule);

// An ingest source's id, as the config declares it and program.select names
// it: 1..32 of a-z, 0-9, '-', '_'.
bool IsSourceId(std::string_view id);

inline constexpr TextRule kNameRule{"delegate name", 200, 200};
inline constexpr TextRule kTitleRule{"delegate title", 400, 400, false, true};
inline constexpr TextRule kQuestionRule{"question text", 4000, 1000, true};
inline constexpr TextRule kReasonRule{"reason", 2000, 500, true};

}  // namespace bridgecast::agenda
