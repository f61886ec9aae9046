#pragma once

#include <nlohmann/json.hpp>

#include "agenda/actor.hpp"
#include "agenda/conference.hpp"
#include "agenda/event.hpp"
#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

// What each actor may see: a point sees only its own questions; everything
// else is public to every role.
bool IsVisibleTo(const Event& event, const Actor& viewer);

// The state as JSON for `viewer` (docs/protocol.md, "Snapshot"); times are Unix ms.
// `now` drives the current item's elapsed time.
nlohmann::json Snapshot(const Conference& conference, const Actor& viewer, Timestamp now);

}  // namespace bridgecast::agenda
