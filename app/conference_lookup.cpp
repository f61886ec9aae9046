#include "app/conference_lookup.hpp"

#include <filesystem>

#include "agenda/errors.hpp"
#include "agenda/store/conference_store.hpp"
#include "app/conference_file.hpp"

namespace bridgecast::app {

std::string JournalPath(const std::string& state_dir) { return state_dir + "/journal.db"; }

Result<agenda::ConferenceSpec> FindConference(const std::string& file_or_id,
                                              const std::string& state_dir) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(file_or_id, ec)) return LoadConference(file_or_id);
  auto bundled = LoadConference("");
  if (bundled && bundled->id == file_or_id) return bundled;
  // Only read a journal that exists: opening one creates it.
  if (std::filesystem::exists(JournalPath(state_dir), ec)) {
    auto store = agenda::ConferenceStore::Open(JournalPath(state_dir));
    if (!store) return store.error();
    if (const agenda::Conference* c = (*store)->Find(file_or_id)) return c->spec();
  }
  return Error{agenda::errc::kUnknownConference,
               "'" + file_or_id + "' is neither a conference file, the bundled conference's id, " +
                   "nor a conference in " + JournalPath(state_dir)};
}

}  // namespace bridgecast::app
