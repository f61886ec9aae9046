#pragma once

#include <cstdint>
#include <span>

#include "agenda/event.hpp"

namespace bridgecast::agenda {

// A journal's runs (docs/protocol.md, "Rehearsal and reset"): run R holds the
// events with R conference.reset events before them, the reset closing the
// run it ends. Rehearsal K is run K-1; the last run is the real one. The
// archive labels each recorder run with the same number.

// Empty for a run the journal does not have.
std::span<const Event> EventsOfRun(std::span<const Event> journal, std::uint64_t run);
// The events after the last conference.reset (all of them if there is none).
std::span<const Event> CurrentRun(std::span<const Event> journal);

}  // namespace bridgecast::agenda
