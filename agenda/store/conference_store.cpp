#include "agenda/store/conference_store.hpp"

#include "agenda/errors.hpp"

namespace bridgecast::agenda {

Result<std::unique_ptr<ConferenceStore>> ConferenceStore::Open(const std::string& path) {
  auto journal = EventJournal::Open(path);
  if (!journal) return journal.error();
  std::unique_ptr<ConferenceStore> store(new ConferenceStore(std::move(*journal)));
  auto specs = store->journal_->Conferences();
  if (!specs) return specs.error();
  for (ConferenceSpec& spec : *specs) {
    const std::string id = spec.id;
    Entry entry{Conference(std::move(spec)), 0};
    auto events = store->journal_->ReadAfter(id, 0);
    if (!events) return events.error();
    for (const Event& event : *events) {
      if (Status s = entry.conference.Apply(event); !s) {
        return Error{errc::kCorruptJournal, "conference " + id + ": " + s.error().message};
      }
      entry.last_seq = event.seq;
    }
    store->conferences_.emplace(id, std::move(entry));
  }
  return store;
}

Status ConferenceStore::Add(const ConferenceSpec& spec) {
  if (Status valid = Validate(spec); !valid) return valid;
  if (const auto it = conferences_.find(spec.id); it != conferences_.end()) {
    if (it->second.conference.spec() == spec) return Ok{};
    return Error{errc::kConferenceChanged,
                 "conference " + spec.id + " is in the journal with a different agenda or roster"};
  }
  if (Status added = journal_->AddConference(spec); !added) return added;
  conferences_.emplace(spec.id, Entry{Conference(spec), 0});
  return Ok{};
}

Result<std::vector<Event>> ConferenceStore::Execute(std::string_view conference,
                                                    const Command& command, const Actor& actor,
                                                    Timestamp now) {
  const auto it = conferences_.find(conference);
  if (it == conferences_.end()) {
    return Error{errc::kUnknownConference, "no conference '" + std::string(conference) + "'"};
  }
  Entry& entry = it->second;
  auto events = entry.conference.Decide(command, actor, now);
  if (!events) return events.error();
  // Apply to a copy first: a batch that would not apply is never journaled,
  // and a failed append leaves the state untouched.
  Conference next = entry.conference;
  for (const Event& event : *events) {
    if (Status s = next.Apply(event); !s) return s.error();
  }
  auto appended = journal_->Append(conference, std::move(*events));
  if (!appended) return appended.error();
  entry.conference = std::move(next);
  entry.last_seq = appended->back().seq;
  return appended;
}

const Conference* ConferenceStore::Find(std::string_view conference) const {
  const auto it = conferences_.find(conference);
  return it == conferences_.end() ? nullptr : &it->second.conference;
}

std::vector<std::string> ConferenceStore::ConferenceIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, entry] : conferences_) ids.push_back(id);
  return ids;
}

std::uint64_t ConferenceStore::LastSeq(std::string_view conference) const {
  const auto it = conferences_.find(conference);
  return it == conferences_.end() ? 0 : it->second.last_seq;
}

Result<std::vector<Event>> ConferenceStore::EventsAfter(std::string_view conference,
                                                        std::uint64_t seq) const {
  if (!Find(conference)) {
    return Error{errc::kUnknownConference, "no conference '" + std::string(conference) + "'"};
  }
  return journal_->ReadAfter(conference, seq);
}

}  // namespace bridgecast::agenda
