#pragma once

#include <string>
#include <string_view>

#include "agenda/conference_spec.hpp"
#include "base/result.hpp"

namespace bridgecast::app {

// The conference bundled into the binary: the reference conference.
constexpr std::string_view kDefaultConference = "deploy/conferences/conference-2023-11-16.json";

// Parses and validates a conference file (UTF-8 JSON, see
// deploy/conferences/). Errors have code "bad_conference".
Result<agenda::ConferenceSpec> ParseConference(std::string_view json_text);

// Reads `path`, or the bundled reference conference when `path` is empty.
Result<agenda::ConferenceSpec> LoadConference(const std::string& path);

}  // namespace bridgecast::app
