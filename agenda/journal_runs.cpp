#include "agenda/journal_runs.hpp"

#include <algorithm>

namespace bridgecast::agenda {
namespace {

bool IsReset(const Event& e) { return std::holds_alternative<ev::ConferenceReset>(e.payload); }

}  // namespace

std::span<const Event> EventsOfRun(std::span<const Event> journal, std::uint64_t run) {
  auto begin = journal.begin();
  for (std::uint64_t r = 0; r < run; ++r) {
    begin = std::find_if(begin, journal.end(), IsReset);
    if (begin == journal.end()) return {};
    ++begin;
  }
  const auto end = std::find_if(begin, journal.end(), IsReset);
  return {begin, end == journal.end() ? end : end + 1};
}

std::span<const Event> CurrentRun(std::span<const Event> journal) {
  const auto last = std::find_if(journal.rbegin(), journal.rend(), IsReset);
  return journal.subspan(static_cast<std::size_t>(journal.rend() - last));
}

}  // namespace bridgecast::agenda
