#pragma once

#include <nlohmann/json.hpp>

#include "agenda/event.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// {"seq": 7, "at": <Unix ms>, "type": "floor.granted", "point": "ha-noi"}:
// the payload's fields sit beside seq, at and type (docs/protocol.md).
nlohmann::json ToJson(const Event& event);
// Strict, like ParseCommand; code bad_event.
Result<Event> EventFromJson(const nlohmann::json& j);

}  // namespace bridgecast::agenda
