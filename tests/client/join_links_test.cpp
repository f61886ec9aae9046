#include "client/join_links.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using bridgecast::client::JoinLinks;
using bridgecast::client::ParseHttpsUrl;
using nlohmann::json;

namespace {

const char* kPin =
    "3F:2A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:"
    "CC:DD";

json ValidLinks() {
  return json::parse(R"({
    "conference": {"id": "2023-11-16-quan-triet-to-chuc-xd-dang",
                   "title": "Hội nghị toàn quốc quán triệt công tác tổ chức xây dựng Đảng"},
    "server": "https://127.0.0.1:8443",
    "certificate_sha256": "",
    "points": [
      {"point": "ha-noi", "name": "Thành ủy Hà Nội",
       "url": "https://127.0.0.1:8443/join#t=bc1.a.b", "token": "bc1.a.b"},
      {"point": "tp-ho-chi-minh", "name": "Thành ủy Thành phố Hồ Chí Minh",
       "url": "https://127.0.0.1:8443/join#t=bc1.c.d", "token": "bc1.c.d"}
    ]})");
}

std::string Without(json doc, const json::json_pointer& where) {
  json& parent = doc[where.parent_pointer()];
  parent.erase(where.back());
  return doc.dump();
}

}  // namespace

TEST_CASE("join links: a valid file parses with names intact") {
  json doc = ValidLinks();
  doc["certificate_sha256"] = kPin;
  auto links = JoinLinks::Parse(doc.dump());
  REQUIRE(links.ok());
  CHECK(links->conference_id == "2023-11-16-quan-triet-to-chuc-xd-dang");
  CHECK(links->conference_title == "Hội nghị toàn quốc quán triệt công tác tổ chức xây dựng Đảng");
  CHECK(links->host == "127.0.0.1");
  CHECK(links->port == 8443);
  CHECK(links->certificate_sha256 == kPin);
  REQUIRE(links->points.size() == 2);
  CHECK(links->points[0].point == "ha-noi");
  CHECK(links->points[0].name == "Thành ủy Hà Nội");
  CHECK(links->points[0].token == "bc1.a.b");
  CHECK(links->points[1].name == "Thành ủy Thành phố Hồ Chí Minh");
  REQUIRE(links->Find("tp-ho-chi-minh") != nullptr);
  CHECK(links->Find("tp-ho-chi-minh")->token == "bc1.c.d");
  CHECK(links->Find("da-nang") == nullptr);
}

TEST_CASE("join links: the pin and the browser url are optional") {
  json doc = ValidLinks();
  doc.erase("certificate_sha256");
  doc["points"][0].erase("url");
  auto links = JoinLinks::Parse(doc.dump());
  REQUIRE(links.ok());
  CHECK(links->certificate_sha256.empty());
  CHECK(links->points[0].url.empty());
}

TEST_CASE("join links: bad JSON is refused") {
  for (const char* text : {"", "{", "not json", "{\"points\": [}", "\xff\xfe"}) {
    auto links = JoinLinks::Parse(text);
    REQUIRE_FALSE(links.ok());
    CHECK(links.error().code == "bad_json");
  }
  auto array = JoinLinks::Parse("[1,2]");
  REQUIRE_FALSE(array.ok());
  CHECK(array.error().code == "bad_links");
}

TEST_CASE("join links: missing fields are named") {
  struct Case {
    const char* pointer;
    const char* mentions;
  };
  for (Case c :
       {Case{"/conference", "conference"}, Case{"/conference/id", "conference.id"},
        Case{"/server", "server"}, Case{"/points", "points"},
        Case{"/points/1/token", "points[1].token"}, Case{"/points/0/point", "points[0].point"}}) {
    auto links = JoinLinks::Parse(Without(ValidLinks(), json::json_pointer(c.pointer)));
    INFO(c.pointer);
    REQUIRE_FALSE(links.ok());
    CHECK(links.error().code == "bad_links");
    CHECK_THAT(links.error().message, Catch::Contains(c.mentions));
  }
}

TEST_CASE("join links: wrong types, empty values and duplicates are refused") {
  json doc = ValidLinks();
  SECTION("token not a string") { doc["points"][0]["token"] = 42; }
  SECTION("empty token") { doc["points"][0]["token"] = ""; }
  SECTION("points empty") { doc["points"] = json::array(); }
  SECTION("point not an object") { doc["points"][1] = "ha-noi"; }
  SECTION("duplicate point") { doc["points"][1]["point"] = "ha-noi"; }
  SECTION("bad pin") { doc["certificate_sha256"] = "3F:2A"; }
  SECTION("http server") { doc["server"] = "http://127.0.0.1:8443"; }
  SECTION("bad port") { doc["server"] = "https://127.0.0.1:99999"; }
  auto links = JoinLinks::Parse(doc.dump());
  REQUIRE_FALSE(links.ok());
  CHECK(links.error().code == "bad_links");
  CHECK_FALSE(links.error().message.empty());
}

TEST_CASE("https urls split into host and port") {
  auto plain = ParseHttpsUrl("https://node.example");
  REQUIRE(plain.ok());
  CHECK(plain->host == "node.example");
  CHECK(plain->port == 443);

  auto slash = ParseHttpsUrl("https://127.0.0.1:8443/");
  REQUIRE(slash.ok());
  CHECK(slash->host == "127.0.0.1");
  CHECK(slash->port == 8443);

  auto v6 = ParseHttpsUrl("https://[::1]:9000");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 9000);

  for (const char* bad :
       {"https://", "https://host:", "https://host:0", "https://host:x1", "https://host:8443/join",
        "https://[::1", "https://[::1]x", "wss://host:1"}) {
    INFO(bad);
    CHECK_FALSE(ParseHttpsUrl(bad).ok());
  }
}
