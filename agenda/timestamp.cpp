#include "agenda/timestamp.hpp"

#include <cstdio>

namespace bridgecast::agenda {

std::string ToIso8601(Timestamp t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<Millis> hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

namespace {

// `n` digits at `at`, or -1.
int Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<Timestamp> ParseIso8601(std::string_view s) {
  using namespace std::chrono;
  const int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  const int h = Digits(s, 11, 2), mi = Digits(s, 14, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s[4] != '-' || s[7] != '-' ||
      s[10] != 'T' || s[13] != ':' || h > 23 || mi > 59) {
    return std::nullopt;
  }
  size_t at = 16;
  int sec = 0;
  int ms = 0;
  if (at < s.size() && s[at] == ':') {
    sec = Digits(s, at + 1, 2);
    if (sec < 0 || sec > 59) return std::nullopt;
    at += 3;
    // Milliseconds, as ToIso8601 writes them.
    if (at < s.size() && s[at] == '.') {
      ms = Digits(s, at + 1, 3);
      if (ms < 0) return std::nullopt;
      at += 4;
    }
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  minutes offset{0};
  if (s.substr(at) != "Z") {
    const int oh = Digits(s, at + 1, 2), om = Digits(s, at + 4, 2);
    if (s.size() != at + 6 || (s[at] != '+' && s[at] != '-') || s[at + 3] != ':' || oh < 0 ||
        om < 0 || oh > 14 || om > 59) {
      return std::nullopt;
    }
    offset = minutes(oh * 60 + om) * (s[at] == '-' ? -1 : 1);
  }
  const auto local = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + Millis(ms);
  return time_point_cast<Millis>(local - offset);
}

}  // namespace bridgecast::agenda
