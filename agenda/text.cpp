#include "agenda/text.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "agenda/errors.hpp"

namespace bridgecast::agenda {
namespace {

Error Bad(const TextRule& rule, const std::string& why) {
  return Error{errc::kBadText, std::string(rule.what) + " " + why};
}

}  // namespace

Result<std::string> CleanText(std::string_view raw, const TextRule& rule) {
  // Limits apply to what is kept: surrounding spaces go first.
  const auto first = raw.find_first_not_of(' ');
  raw = first == std::string_view::npos ? std::string_view() : raw.substr(first);
  raw = raw.substr(0, raw.find_last_not_of(' ') + 1);
  // Composition shrinks text at most 3x (Hangul jamo, 9 bytes to 3; decomposed
  // Vietnamese, 5 to 3), so longer input fails anyway: refuse it unnormalised.
  if (raw.size() > 3 * rule.max_bytes) return Bad(rule, "is too long");
  if (raw.empty()) {
    if (rule.allow_empty) return std::string();
    return Bad(rule, "is empty");
  }
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(raw.data()),
                   static_cast<utf8proc_ssize_t>(raw.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return Bad(rule, "is not valid UTF-8");
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  std::string text(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
  if (text.size() > rule.max_bytes) return Bad(rule, "is too long");
  std::size_t chars = 0;
  bool visible = false;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp = 0;
    i += utf8proc_iterate(mapped + i, n - i, &cp);  // valid: utf8proc_map checked it
    ++chars;
    if (cp == '\n' && rule.allow_newline) continue;
    const utf8proc_category_t category = utf8proc_category(cp);
    if (category == UTF8PROC_CATEGORY_CC) return Bad(rule, "has a control character");
    // Embeddings, overrides and isolates reorder what staff read (U+202E
    // shows a name backwards).
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      return Bad(rule, "has a bidirectional control character");
    }
    // No-break and zero-width spaces look like nothing.
    visible = visible || !(category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_CF ||
                           utf8proc_get_property(cp)->ignorable);
  }
  if (chars > rule.max_chars) return Bad(rule, "is too long");
  if (!visible && !rule.allow_empty) return Bad(rule, "is blank");
  return visible ? text : std::string();
}

bool IsSourceId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace bridgecast::agenda
