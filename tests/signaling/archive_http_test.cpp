#include "signaling/archive_http.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../agenda/test_support.hpp"

namespace bridgecast::signaling {
namespace {

agenda::ConferenceSpec Conference() {
  agenda::ConferenceSpec spec;
  spec.id = "conf";
  spec.title = "Hội nghị";
  spec.agenda = {{"khai-mac", "Khai mạc", std::chrono::minutes(5), false}};
  spec.points = {{"ha-noi", "Thành ủy Hà Nội", "province", {}}};
  return spec;
}

struct Fixture {
  Fixture() {
    auto opened = agenda::ConferenceStore::Open(dir.File("journal.db"));
    REQUIRE(opened);
    store = std::move(*opened);
    REQUIRE(store->Add(Conference()));
    auto ix = agenda::ArchiveIndex::Open(dir.File("archive.db"));
    REQUIRE(ix);
    index = std::move(*ix);
    REQUIRE(index->AddSession("conf", "Hội nghị", agenda::FromUnixMillis(1000)));
    REQUIRE(index->StartRun("conf", agenda::FromUnixMillis(1000), 0).ok());
    agenda::ArchivedSegment s{"conf", 1, 0, "run0001-seg00000.ts", agenda::FromUnixMillis(1000),
                              agenda::Millis(4000), 6, true};
    REQUIRE(index->AddSegment(s));
    std::filesystem::create_directories(dir.File("archive/conf"));
    std::ofstream(dir.File("archive/conf/run0001-seg00000.ts")) << "TSDATA";
    std::ofstream(dir.File("archive/conf/secret.txt")) << "no";
    http = std::make_unique<ArchiveHttp>(
        *store, *index, dir.File("archive"), signer,
        ArchiveHttp::Recording{"conf", [] { return nlohmann::json{{"state", "off"}}; },
                               [](std::string_view) { return false; }},
        "https://node");
  }

  HttpResponse Get(const std::string& path, const std::string& query = "",
                   const std::string& bearer = "", const std::string& cookie = "") {
    HttpRequest request{"GET", path, bearer.empty() ? "" : "Bearer " + bearer, query, cookie};
    auto answer = http->Handle(request);
    REQUIRE(answer);
    return *answer;
  }
  std::string Token(Role role, const std::string& conference = "conf") {
    return signer.Sign({conference, role, "", 0});
  }

  agenda::test::TempDir dir;
  TokenSigner signer = *TokenSigner::FromKey(std::vector<unsigned char>(32, 5));
  std::unique_ptr<agenda::ConferenceStore> store;
  std::unique_ptr<agenda::ArchiveIndex> index;
  std::unique_ptr<ArchiveHttp> http;
};

std::string Code(const HttpResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, false).value("code", "");
}

}  // namespace

TEST_CASE("the archive serves a reviewer its session list, playlist and segments") {
  Fixture f;
  const std::string token = f.Token(Role::kReviewer);
  HttpResponse list = f.Get("/api/archive/sessions", "", token);
  REQUIRE(list.status == 200);
  const auto sessions = nlohmann::json::parse(list.body)["sessions"];
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["id"] == "conf");
  CHECK(sessions[0]["duration_s"] == 4.0);
  CHECK(sessions[0]["recording"] == false);
  CHECK(sessions[0]["rehearsals"].empty());

  // Players fetch with ?token=, and the playlist hands it on to the segments.
  HttpResponse playlist = f.Get("/api/archive/conf/index.m3u8", "token=" + token);
  REQUIRE(playlist.status == 200);
  CHECK(playlist.content_type == "application/vnd.apple.mpegurl");
  CHECK(playlist.body.find("run0001-seg00000.ts?token=" + token) != std::string::npos);
  CHECK(playlist.body.find("#EXT-X-ENDLIST") != std::string::npos);

  HttpResponse segment = f.Get("/api/archive/conf/run0001-seg00000.ts", "x=1&token=" + token);
  REQUIRE(segment.status == 200);
  CHECK(segment.content_type == "video/mp2t");
  CHECK(segment.body == "TSDATA");

  CHECK(f.Get("/api/archive/sessions", "", f.Token(Role::kChair)).status == 200);
  CHECK(f.Get("/api/archive/sessions", "", f.Token(Role::kOperator)).status == 200);
  CHECK_FALSE(f.http->Handle({"GET", "/api/points", "", ""}));  // not the archive's
}

TEST_CASE("the review page gets a path-scoped cookie, and then no URL carries the token") {
  Fixture f;
  const std::string token = f.Token(Role::kReviewer);
  const HttpResponse granted = f.Get("/api/archive/conf/access", "", token);
  REQUIRE(granted.status == 200);
  CHECK(granted.set_cookie == "bc_review=" + token +
                                  "; Path=/api/archive/conf/; Max-Age=3600; Secure; HttpOnly; "
                                  "SameSite=Strict");
  const std::string cookie = "theme=dark; bc_review=" + token;
  const HttpResponse playlist = f.Get("/api/archive/conf/index.m3u8", "", "", cookie);
  REQUIRE(playlist.status == 200);
  CHECK(playlist.body.find("token") == std::string::npos);
  CHECK(playlist.body.find("\nrun0001-seg00000.ts\n") != std::string::npos);
  CHECK(f.Get("/api/archive/conf/run0001-seg00000.ts", "", "", cookie).status == 200);
  CHECK(f.Get("/api/archive/conf/minutes.html", "", "", cookie).status == 200);
  // A bearer header needs nothing in the URL either.
  CHECK(f.Get("/api/archive/conf/index.m3u8", "", token).body.find("token") == std::string::npos);
  // A forged or foreign cookie is a bad or foreign token like any other.
  CHECK(f.Get("/api/archive/conf/index.m3u8", "", "", "bc_review=bc1.x.y").status == 401);
  CHECK(f.Get("/api/archive/conf/index.m3u8", "", "",
              "bc_review=" + f.Token(Role::kReviewer, "other"))
            .status == 403);
  CHECK(CookieValue("a=1; bc_review=t; b=2", "bc_review") == "t");
  CHECK(CookieValue("xbc_review=t", "bc_review").empty());
}

TEST_CASE("archive requests are validated: token, role, conference, path") {
  Fixture f;
  const std::string token = f.Token(Role::kReviewer);
  CHECK(f.Get("/api/archive/sessions").status == 401);
  CHECK(Code(f.Get("/api/archive/sessions", "token=bc1.garbage")) == "bad_token");
  CHECK(f.Get("/api/archive/sessions", "", f.Token(Role::kObserver)).status == 403);
  CHECK(f.Get("/api/archive/sessions", "", f.Token(Role::kPoint)).status == 403);
  CHECK(f.Get("/api/archive/conf/index.m3u8", "", f.Token(Role::kReviewer, "other")).status ==
        403);
  CHECK(f.Get("/api/recording", "", token).status == 403);  // the operator's
  CHECK(f.Get("/api/recording", "", f.Token(Role::kOperator)).status == 200);

  // Each refusal has the one status and code docs/protocol.md gives it.
  struct Refusal {
    const char* path;
    int status;
    const char* code;
  };
  for (const Refusal& r : std::initializer_list<Refusal>{
           {"/api/archive/conf/../conf/run0001-seg00000.ts", 400, "bad_path"},
           {"/api/archive/conf/secret.txt", 404, "not_found"},
           {"/api/archive/conf/%2e%2e", 404, "not_found"},
           {"/api/archive/conf/run0001-seg00000.ts/x", 400, "bad_path"},
           {"/api/archive/Conf/index.m3u8", 400, "bad_path"},
           {"/api/archive/conf", 400, "bad_path"},
           {"/api/archive/conf/", 400, "bad_path"},
           {"/api/archive//index.m3u8", 400, "bad_path"},
           {"/api/archive/conf/run0001-seg0000.ts", 404, "not_found"},
           {"/api/archive/other/index.m3u8", 403, "forbidden"}}) {
    INFO(r.path);
    const HttpResponse answer = f.Get(r.path, "", token);
    CHECK(answer.status == r.status);
    CHECK(Code(answer) == r.code);
    CHECK(answer.body != "no");  // never a file outside the index
  }
  // Well-formed but not in the index.
  HttpResponse missing = f.Get("/api/archive/conf/run0001-seg00001.ts", "", token);
  CHECK(missing.status == 404);
  CHECK(Code(missing) == "not_found");
}

TEST_CASE("every archive route refuses a staff token of another conference") {
  Fixture f;
  for (Role role : {Role::kReviewer, Role::kChair, Role::kOperator}) {
    const std::string foreign = f.Token(role, "other");
    for (const char* path :
         {"/api/recording", "/api/archive/conf/index.m3u8", "/api/archive/conf/timeline.json",
          "/api/archive/conf/minutes.json", "/api/archive/conf/minutes.html",
          "/api/archive/conf/run0001-seg00000.ts"}) {
      INFO(path << " as " << ToString(role));
      const HttpResponse answer = f.Get(path, "", foreign);
      // A reviewer may never read /api/recording; anyone else of another
      // conference is refused the same way.
      CHECK(answer.status == 403);
      CHECK(Code(answer) == "forbidden");
    }
    // The list is filtered, not refused: another conference sees nothing of ours.
    const HttpResponse list = f.Get("/api/archive/sessions", "", foreign);
    REQUIRE(list.status == 200);
    CHECK(nlohmann::json::parse(list.body)["sessions"].empty());
  }
  CHECK(f.Get("/api/recording", "", f.Token(Role::kChair)).status == 200);
}

TEST_CASE("after a reset the archive serves the real run and lists the rehearsal") {
  Fixture f;  // run 1 was recorded in what becomes rehearsal 1
  const std::string token = f.Token(Role::kReviewer);
  const auto chair = [&](const agenda::Command& command) {
    REQUIRE(f.store->Execute("conf", command, agenda::Actor::Chair(), agenda::FromUnixMillis(500)));
  };
  chair(agenda::cmd::StartConference{});
  chair(agenda::cmd::ResetConference{});

  auto sessions = nlohmann::json::parse(f.Get("/api/archive/sessions", "", token).body)["sessions"];
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["segments"] == 0);
  CHECK(sessions[0]["runs"] == 0);
  CHECK(sessions[0]["duration_s"] == 0.0);
  CHECK(sessions[0]["rehearsals"] ==
        nlohmann::json::parse(R"([{"rehearsal":1,"segments":1,"duration_s":4.0}])"));
  // Nothing recorded since the reset: nothing to play, no timeline yet.
  for (const char* path : {"/api/archive/conf/index.m3u8", "/api/archive/conf/timeline.json"}) {
    INFO(path);
    const HttpResponse answer = f.Get(path, "", token);
    CHECK(answer.status == 404);
    CHECK(Code(answer) == "unknown_session");
  }

  chair(agenda::cmd::StartConference{});
  REQUIRE(f.index->StartRun("conf", agenda::FromUnixMillis(9000), 1).ok());
  REQUIRE(f.index->AddSegment({"conf", 2, 0, "run0002-seg00000.ts", agenda::FromUnixMillis(9000),
                               agenda::Millis(3000), 5, true}));
  const HttpResponse playlist = f.Get("/api/archive/conf/index.m3u8", "", token);
  REQUIRE(playlist.status == 200);
  CHECK(playlist.body.find("run0002-seg00000.ts") != std::string::npos);
  CHECK(playlist.body.find("run0001") == std::string::npos);
  const HttpResponse timeline = f.Get("/api/archive/conf/timeline.json", "", token);
  REQUIRE(timeline.status == 200);
  CHECK(nlohmann::json::parse(timeline.body)["duration_ms"] == 3000);
  sessions = nlohmann::json::parse(f.Get("/api/archive/sessions", "", token).body)["sessions"];
  CHECK(sessions[0]["segments"] == 1);
  CHECK(sessions[0]["runs"] == 1);
  CHECK(sessions[0]["duration_s"] == 3.0);
  CHECK(sessions[0]["rehearsals"].size() == 1);
}

}  // namespace bridgecast::signaling
