#pragma once

#include <string>

#include "agenda/minutes.hpp"

namespace bridgecast::agenda {

// A self-contained printable page (Vietnamese, the users' language): no
// script, no external resources; times in the conference's timezone.
std::string ToHtml(const Minutes& minutes);

// Text safe inside HTML element content and double-quoted attributes.
std::string EscapeHtml(std::string_view text);

}  // namespace bridgecast::agenda
