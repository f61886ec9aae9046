#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "agenda/conference_spec.hpp"
#include "agenda/json_fields.hpp"
#include "base/result.hpp"

namespace bridgecast::agenda {

// The conference file's format (deploy/conferences/*.json); the journal keeps
// each conference's spec in it. Parsing is strict and validates; code bad_conference.
nlohmann::json ToJson(const ConferenceSpec& spec);
Result<ConferenceSpec> ConferenceSpecFromJson(const nlohmann::json& j);

// [{"name": "...", "title": "..."}], title optional; shared by the codecs.
nlohmann::json ToJson(const std::vector<Person>& people);
std::vector<Person> ReadPeople(JsonFields& fields, const char* key, bool required);

}  // namespace bridgecast::agenda
