#include "signaling/gateway.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

namespace bridgecast::signaling {
namespace {

using nlohmann::json;

struct RecordingSink final : FrameSink {
  std::map<ConnectionId, std::vector<json>> sent;
  std::map<ConnectionId, int> closed;
  void Send(ConnectionId id, std::string text) override { sent[id].push_back(json::parse(text)); }
  void Close(ConnectionId id, int code, std::string) override { closed[id] = code; }
  const json& Last(ConnectionId id) { return sent.at(id).back(); }
};

struct FakeSession final : media::PointSession {
  explicit FakeSession(media::PointSession::Listener& l) : listener(l) {}
  Status SetRemoteAnswer(std::string_view sdp) override {
    answers.emplace_back(sdp);
    return Ok{};
  }
  Status AddRemoteCandidate(unsigned mline, std::string_view c) override {
    if (mline > 1) return Error{"bad_candidate", "sdpMLineIndex must be 0 or 1"};
    candidates.emplace_back(c);
    return Ok{};
  }
  media::LinkState link_state() const override { return state; }
  const media::PointStats& stats() const override { return stats_; }

  media::PointSession::Listener& listener;
  media::LinkState state = media::LinkState::kNew;
  media::PointStats stats_;
  std::vector<std::string> answers;
  std::vector<std::string> candidates;
};

agenda::ConferenceSpec Conference() {
  agenda::ConferenceSpec spec;
  spec.id = "conf";
  spec.title = "Hội nghị";
  spec.points = {{"ha-noi", "Thành ủy Hà Nội", "province", {}},
                 {"hue", "Thành ủy Huế", "province", {}}};
  return spec;
}

struct Fixture {
  agenda::ConferenceSpec conference = Conference();
  TokenSigner signer = *TokenSigner::FromKey(std::vector<unsigned char>(32, 3));
  ManualClock clock;
  RecordingSink sink;
  std::vector<FakeSession*> sessions;
  Gateway gateway{conference, signer,
                  [this](const std::string&, media::PointSession::Listener& l)
                      -> Result<std::unique_ptr<media::PointSession>> {
                    auto s = std::make_unique<FakeSession>(l);
                    sessions.push_back(s.get());
                    return std::unique_ptr<media::PointSession>(std::move(s));
                  },
                  clock};

  Fixture() { gateway.set_sink(&sink); }

  std::string Token(Role role, std::string point = "", std::string conf = "conf") {
    return signer.Sign({conf, role, point, 0});
  }
  void Hello(ConnectionId id, const std::string& token) {
    gateway.OnSocketOpen(id);
    gateway.OnSocketMessage(id, json{{"type", "hello"}, {"token", token}}.dump());
  }
};

}  // namespace

TEST_CASE("a point with a valid token is welcomed and gets a media session") {
  Fixture f;
  f.Hello(1, f.Token(Role::kPoint, "ha-noi"));
  REQUIRE(f.sink.sent[1].size() == 1);
  const json& welcome = f.sink.Last(1);
  CHECK(welcome["type"] == "welcome");
  CHECK(welcome["point"]["name"] == "Thành ủy Hà Nội");
  CHECK(welcome["conference"]["title"] == "Hội nghị");
  REQUIRE(f.sessions.size() == 1);
  CHECK(f.gateway.points_joined() == 1);

  f.sessions[0]->listener.OnLocalOffer("v=0 offer");
  CHECK(f.sink.Last(1) == json{{"type", "offer"}, {"sdp", "v=0 offer"}});
  f.sessions[0]->listener.OnLocalCandidate(0, "candidate:1");
  CHECK(f.sink.Last(1)["sdpMLineIndex"] == 0);

  f.gateway.OnSocketMessage(1, R"({"type":"answer","sdp":"v=0 answer"})");
  f.gateway.OnSocketMessage(1, R"({"type":"ice","candidate":"candidate:2","sdpMLineIndex":0})");
  CHECK(f.sessions[0]->answers == std::vector<std::string>{"v=0 answer"});
  CHECK(f.sessions[0]->candidates == std::vector<std::string>{"candidate:2"});

  f.gateway.OnSocketMessage(1, R"({"type":"ice","candidate":"candidate:2","sdpMLineIndex":7})");
  CHECK(f.sink.Last(1)["code"] == "bad_candidate");
  CHECK(f.sink.Last(1)["fatal"] == false);

  f.sessions[0]->state = media::LinkState::kConnected;
  CHECK(f.gateway.points_connected() == 1);
  f.gateway.OnSocketClosed(1);
  CHECK(f.gateway.points_joined() == 0);
}

TEST_CASE("tokens that may not join are refused and the socket closed") {
  Fixture f;
  std::string token;
  std::string code;
  SECTION("forged") {
    token = "bc1.e30.AAAA";
    code = "bad_token";
  }
  SECTION("operator role") {
    token = f.Token(Role::kOperator);
    code = "bad_token";
  }
  SECTION("other conference") {
    token = f.Token(Role::kPoint, "ha-noi", "other");
    code = "wrong_conference";
  }
  SECTION("point not in roster") {
    token = f.Token(Role::kPoint, "atlantis");
    code = "unknown_point";
  }
  f.Hello(1, token);
  CHECK(f.sink.Last(1)["code"] == code);
  CHECK(f.sink.Last(1)["fatal"] == true);
  CHECK(f.sink.closed.at(1) == 4000);
  CHECK(f.sessions.empty());
}

TEST_CASE("messages out of order get non-fatal errors") {
  Fixture f;
  f.gateway.OnSocketOpen(1);
  f.gateway.OnSocketMessage(1, R"({"type":"answer","sdp":"v=0"})");
  CHECK(f.sink.Last(1)["code"] == "not_authenticated");
  f.gateway.OnSocketMessage(1, "{nonsense");
  CHECK(f.sink.Last(1)["code"] == "bad_json");
  f.gateway.OnSocketMessage(1, R"({"type":"shout"})");
  CHECK(f.sink.Last(1)["code"] == "unknown_type");
  CHECK(f.sink.closed.empty());
  f.gateway.OnSocketMessage(1, json{{"type", "hello"}, {"token", f.Token(Role::kPoint, "hue")}}.dump());
  f.gateway.OnSocketMessage(1, json{{"type", "hello"}, {"token", f.Token(Role::kPoint, "hue")}}.dump());
  CHECK(f.sink.Last(1)["code"] == "already_authenticated");
  f.gateway.OnSocketOversize(1);
  CHECK(f.sink.Last(1)["code"] == "message_too_large");
  CHECK(f.sink.closed.at(1) == 4000);
}

TEST_CASE("a second connection for a point replaces the first") {
  Fixture f;
  f.Hello(1, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  CHECK(f.sink.Last(1)["code"] == "replaced");
  CHECK(f.sink.closed.at(1) == 4000);
  CHECK(f.sink.Last(2)["type"] == "welcome");
  f.gateway.OnSocketClosed(1);  // the old socket closing must not evict the new one
  CHECK(f.gateway.points_joined() == 1);
}

TEST_CASE("HTTP: health, static pages, link health behind a token") {
  Fixture f;
  auto get = [&](std::string path, std::string auth = "") {
    return f.gateway.OnHttpRequest(HttpRequest{"GET", std::move(path), std::move(auth)});
  };
  auto health = get("/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body)["status"] == "ok");
  CHECK(get("/join").content_type == "text/html; charset=utf-8");
  CHECK(get("/static/point.js").status == 200);
  CHECK(get("/static/../../etc/passwd").status == 404);
  CHECK(get("/nope").status == 404);
  CHECK(f.gateway.OnHttpRequest(HttpRequest{"POST", "/healthz", ""}).status == 405);

  CHECK(get("/api/points").status == 401);
  CHECK(get("/api/points", "Bearer bc1.bad.sig").status == 401);
  CHECK(get("/api/points", "Bearer " + f.Token(Role::kPoint, "hue")).status == 403);
  f.Hello(1, f.Token(Role::kPoint, "hue"));
  auto points = get("/api/points", "Bearer " + f.Token(Role::kOperator));
  REQUIRE(points.status == 200);
  const json body = json::parse(points.body);
  REQUIRE(body["points"].size() == 2);
  CHECK(body["points"][0]["state"] == "absent");
  CHECK(body["points"][1]["state"] == "new");
  CHECK(body["points"][1]["name"] == "Thành ủy Huế");
}

}  // namespace bridgecast::signaling
