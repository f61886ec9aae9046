#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bridgecast::agenda {

// Wall-clock time (UTC, milliseconds). The journal outlives the process and the
// reviewer reads dates, so the domain cannot use the steady clock of base/clock.hpp.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

inline std::int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(std::int64_t ms) { return Timestamp(Millis(ms)); }

// The production source of `now` for Conference::Decide and ConferenceStore::Execute.
inline Timestamp WallNow() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

// "2023-11-16T01:02:03.456Z"
std::string ToIso8601(Timestamp t);

// "2023-11-16T08:00+07:00", "2023-11-16T08:00:30Z", ToIso8601's form: a date,
// a time to the minute, second or millisecond, and a UTC offset (required: a
// local time alone names no instant). Nothing for any other text.
std::optional<Timestamp> ParseIso8601(std::string_view text);

}  // namespace bridgecast::agenda
