#include "app/conference_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agenda/conference_spec_json.hpp"
#include "agenda/errors.hpp"
#include "base/embedded.hpp"

namespace bridgecast::app {

Result<agenda::ConferenceSpec> ParseConference(std::string_view json_text) {
  // nlohmann refuses invalid UTF-8, so every accepted string is UTF-8.
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return Error{agenda::errc::kBadConference, "not valid JSON in UTF-8"};
  return agenda::ConferenceSpecFromJson(j);
}

Result<agenda::ConferenceSpec> LoadConference(const std::string& path) {
  if (path.empty()) return ParseConference(*embedded::Find(kDefaultConference));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"io_error", "cannot read conference file " + path};
  std::ostringstream text;
  text << in.rdbuf();
  auto spec = ParseConference(text.str());
  if (!spec) return Error{spec.error().code, path + ": " + spec.error().message};
  return spec;
}

}  // namespace bridgecast::app
