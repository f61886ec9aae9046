#pragma once

#include <string>

#include "agenda/conference_spec.hpp"
#include "base/result.hpp"

namespace bridgecast::app {

// STATE_DIR/journal.db: every conference this node has run and its events.
std::string JournalPath(const std::string& state_dir);

// The conference an offline command (token, report) is about, named the way
// a person has it at hand: a conference file, or an id — the bundled
// reference conference's, or one in STATE_DIR's journal. Errors:
// bad_conference (the file), unknown_conference, journal errors.
Result<agenda::ConferenceSpec> FindConference(const std::string& file_or_id,
                                              const std::string& state_dir);

}  // namespace bridgecast::app
