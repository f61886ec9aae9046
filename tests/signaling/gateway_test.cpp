#include "signaling/gateway.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "../agenda/test_support.hpp"

namespace bridgecast::signaling {
namespace {

using nlohmann::json;

struct RecordingSink final : FrameSink {
  std::map<ConnectionId, std::vector<json>> sent;
  std::map<ConnectionId, int> closed;
  void Send(ConnectionId id, std::string text) override { sent[id].push_back(json::parse(text)); }
  void Close(ConnectionId id, int code, std::string) override { closed[id] = code; }
  const json& Last(ConnectionId id) { return sent.at(id).back(); }
  // The conference events sent to `id`, in order.
  std::vector<json> Events(ConnectionId id) {
    std::vector<json> events;
    for (const json& m : sent[id]) {
      if (m["type"] == "event") events.push_back(m["event"]);
    }
    return events;
  }
  std::vector<std::string> EventTypes(ConnectionId id) {
    std::vector<std::string> types;
    for (const json& e : Events(id)) types.push_back(e["type"]);
    return types;
  }
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
  spec.agenda = {{"khai-mac", "Khai mạc", std::chrono::minutes(5), false},
                 {"qd-124", "Quán triệt Quy định số 124-QĐ/TW", std::chrono::minutes(40), false}};
  spec.points = {{"ha-noi", "Thành ủy Hà Nội", "province", {}},
                 {"hue", "Thành ủy Huế", "province", {}}};
  return spec;
}

std::unique_ptr<agenda::ConferenceStore> OpenStore(const std::string& path,
                                                   const agenda::ConferenceSpec& spec) {
  auto store = agenda::ConferenceStore::Open(path);
  REQUIRE(store);
  REQUIRE((*store)->Add(spec));
  return std::move(*store);
}

struct Fixture {
  agenda::ConferenceSpec conference = Conference();
  agenda::test::TempDir dir;
  std::unique_ptr<agenda::ConferenceStore> store = OpenStore(dir.File("journal.db"), conference);
  TokenSigner signer = *TokenSigner::FromKey(std::vector<unsigned char>(32, 3));
  ManualClock clock;
  agenda::ManualWallClock wall_clock{agenda::FromUnixMillis(1700096400000)};
  RecordingSink sink;
  std::vector<FakeSession*> sessions;
  Gateway gateway{conference, *store, signer,
                  [this](const std::string&, media::PointSession::Listener& l)
                      -> Result<std::unique_ptr<media::PointSession>> {
                    auto s = std::make_unique<FakeSession>(l);
                    sessions.push_back(s.get());
                    return std::unique_ptr<media::PointSession>(std::move(s));
                  },
                  clock, wall_clock};

  Fixture() { gateway.set_sink(&sink); }

  std::string Token(Role role, std::string point = "", std::string conf = "conf") {
    return signer.Sign({conf, role, point, 0});
  }
  void Hello(ConnectionId id, const std::string& token,
             std::optional<std::uint64_t> last_seq = std::nullopt) {
    gateway.OnSocketOpen(id);
    json hello = {{"type", "hello"}, {"token", token}};
    if (last_seq) hello["last_seq"] = *last_seq;
    gateway.OnSocketMessage(id, hello.dump());
  }
  // Sends a command and returns the node's reply to it (ack or error).
  json Command(ConnectionId id, const json& command, const json& command_id = 1) {
    gateway.OnSocketMessage(
        id, json{{"type", "command"}, {"id", command_id}, {"command", command}}.dump());
    return sink.Last(id);
  }
  void Ok(ConnectionId id, const json& command) {
    const json reply = Command(id, command);
    INFO(reply.dump());
    REQUIRE(reply["type"] == "ack");
  }
};

}  // namespace

TEST_CASE("a point with a valid token is welcomed and gets a media session") {
  Fixture f;
  f.Hello(1, f.Token(Role::kPoint, "ha-noi"));
  REQUIRE(f.sink.sent[1].size() == 3);  // welcome, snapshot, its own point.joined
  const json& welcome = f.sink.sent[1][0];
  CHECK(welcome["type"] == "welcome");
  CHECK(welcome["role"] == "point");
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
  SECTION("other conference") {
    token = f.Token(Role::kPoint, "ha-noi", "other");
    code = "wrong_conference";
  }
  SECTION("point not in roster") {
    token = f.Token(Role::kPoint, "atlantis");
    code = "unknown_point";
  }
  SECTION("a WHIP publisher") {
    token = f.Token(Role::kPublisher);
    code = "forbidden";
  }
  f.Hello(1, token);
  CHECK(f.sink.Last(1)["code"] == code);
  CHECK(f.sink.Last(1)["fatal"] == true);
  CHECK(f.sink.closed.at(1) == 4000);
  CHECK(f.sessions.empty());
  CHECK(f.store->LastSeq("conf") == 0);  // no presence for a refused socket
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

TEST_CASE("a socket that never says hello is closed after the hello timeout, others stay") {
  Fixture f;
  f.gateway.set_connection_limits({std::chrono::seconds(10), 20});
  f.gateway.OnSocketOpen(1);
  f.gateway.OnSocketOpen(2);
  f.gateway.OnSocketMessage(2, json{{"type", "hello"}, {"token", f.Token(Role::kPoint, "hue")}}.dump());
  f.clock.Advance(std::chrono::milliseconds(9900));
  f.gateway.CloseSilent();
  CHECK(f.sink.closed.empty());
  f.clock.Advance(std::chrono::milliseconds(100));
  f.gateway.CloseSilent();
  CHECK(f.sink.Last(1)["code"] == "hello_timeout");
  CHECK(f.sink.Last(1)["fatal"] == true);
  CHECK(f.sink.closed.at(1) == 4000);
  CHECK_FALSE(f.sink.closed.count(2));
  // Told once, not at every check until the socket is gone.
  const size_t told = f.sink.sent[1].size();
  f.clock.Advance(std::chrono::seconds(5));
  f.gateway.CloseSilent();
  CHECK(f.sink.sent[1].size() == told);
}

TEST_CASE("a connection that keeps sending garbage is closed after max_errors, others stay") {
  Fixture f;
  f.gateway.set_connection_limits({std::chrono::seconds(10), 5});
  f.gateway.OnSocketOpen(1);
  f.gateway.OnSocketOpen(2);
  f.gateway.OnSocketMessage(2, json{{"type", "hello"}, {"token", f.Token(Role::kChair)}}.dump());
  for (int i = 0; i < 5; ++i) {
    f.gateway.OnSocketMessage(1, "{garbage");
    CHECK(f.sink.Last(1)["code"] == "bad_json");
  }
  CHECK(f.sink.closed.empty());
  f.gateway.OnSocketMessage(1, "{garbage");
  CHECK(f.sink.Last(1)["code"] == "too_many_errors");
  CHECK(f.sink.Last(1)["fatal"] == true);
  CHECK(f.sink.closed.at(1) == 4000);
  // Nothing more is answered to a connection being closed.
  const size_t told = f.sink.sent[1].size();
  f.gateway.OnSocketMessage(1, "{garbage");
  CHECK(f.sink.sent[1].size() == told);
  // A refused command is not a protocol error: the chair may be refused often.
  for (int i = 0; i < 10; ++i) {
    f.gateway.OnSocketMessage(
        2, json{{"type", "command"}, {"id", i}, {"command", {{"type", "floor.revoke"}}}}.dump());
  }
  CHECK(f.sink.Last(2)["code"] == "not_live");
  CHECK_FALSE(f.sink.closed.count(2));
}

TEST_CASE("a second connection for a point replaces the first") {
  Fixture f;
  f.Hello(1, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  CHECK(f.sink.Last(1)["code"] == "replaced");
  CHECK(f.sink.closed.at(1) == 4000);
  CHECK(f.sink.sent[2][0]["type"] == "welcome");
  CHECK(f.sink.Last(2)["type"] == "snapshot");  // presence carries over: no second join
  f.gateway.OnSocketClosed(1);  // the old socket closing must not evict the new one
  CHECK(f.gateway.points_joined() == 1);
  CHECK(f.store->LastSeq("conf") == 1);  // one point.joined, no point.left
  f.gateway.OnSocketClosed(2);
  CHECK(f.store->Find("conf")->state().points[0].connected_since == std::nullopt);
  CHECK(f.store->LastSeq("conf") == 2);
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
  CHECK(get("/console").content_type == "text/html; charset=utf-8");
  CHECK(get("/static/console.js").content_type == "text/javascript; charset=utf-8");
  CHECK(get("/operator").content_type == "text/html; charset=utf-8");
  CHECK(get("/static/../../etc/passwd").status == 404);
  CHECK(get("/nope").status == 404);
  CHECK(f.gateway.OnHttpRequest(HttpRequest{"POST", "/healthz", ""}).status == 405);
  for (const char* method : {"PUT", "PATCH", "DELETE", "OPTIONS"}) {
    const HttpResponse refused = f.gateway.OnHttpRequest(HttpRequest{method, "/healthz", ""});
    CHECK(refused.status == 405);
    CHECK(refused.headers == decltype(refused.headers){{"Allow", "GET, HEAD"}});
  }

  CHECK(get("/api/points").status == 401);
  CHECK(get("/api/points", "Bearer bc1.bad.sig").status == 401);
  CHECK(get("/api/points", "Bearer " + f.Token(Role::kPoint, "hue")).status == 403);
  CHECK(get("/api/points", "Bearer " + f.Token(Role::kPublisher)).status == 403);
  f.Hello(1, f.Token(Role::kPoint, "hue"));
  auto points = get("/api/points", "Bearer " + f.Token(Role::kOperator));
  REQUIRE(points.status == 200);
  const json body = json::parse(points.body);
  REQUIRE(body["points"].size() == 2);
  CHECK(body["points"][0]["state"] == "absent");
  CHECK(body["points"][1]["state"] == "new");
  CHECK(body["points"][1]["name"] == "Thành ủy Huế");
}

TEST_CASE("every role is welcomed with a snapshot, and only points get media") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kObserver));
  f.Hello(3, f.Token(Role::kOperator));
  for (ConnectionId id : {1, 2, 3}) {
    REQUIRE(f.sink.sent[id].size() == 2);
    const json& welcome = f.sink.sent[id][0];
    CHECK(welcome["type"] == "welcome");
    CHECK_FALSE(welcome.contains("point"));
    const json& snapshot = f.sink.sent[id][1];
    CHECK(snapshot["type"] == "snapshot");
    CHECK(snapshot["seq"] == 0);
    CHECK(snapshot["state"]["phase"] == "scheduled");
    CHECK(snapshot["state"]["points"].size() == 2);
  }
  CHECK(f.sink.sent[1][0]["role"] == "chair");
  CHECK(f.sink.sent[2][0]["role"] == "observer");
  CHECK(f.sessions.empty());
  CHECK(f.gateway.points_joined() == 0);
  // Media messages from a role without media are refused, not crashed on.
  f.gateway.OnSocketMessage(1, R"({"type":"answer","sdp":"v=0"})");
  CHECK(f.sink.Last(1)["code"] == "bad_sdp");
}

TEST_CASE("the chair and the operator may ask for a preview of the program, others may not") {
  Fixture f;
  auto hello = [&](ConnectionId id, const std::string& token) {
    f.gateway.OnSocketOpen(id);
    f.gateway.OnSocketMessage(id, json{{"type", "hello"}, {"token", token}, {"preview", true}}.dump());
  };
  hello(1, f.Token(Role::kChair));
  hello(2, f.Token(Role::kOperator));
  hello(3, f.Token(Role::kObserver));
  hello(4, f.Token(Role::kReviewer));
  REQUIRE(f.sessions.size() == 2);  // the chair's and the operator's
  // The preview answers its offer like a point; it is no point: no presence,
  // no place in the link report.
  f.gateway.OnSocketMessage(1, R"({"type":"answer","sdp":"v=0"})");
  CHECK(f.sessions[0]->answers.size() == 1);
  CHECK(f.gateway.points_joined() == 0);
  CHECK(f.sink.EventTypes(1).empty());
  f.gateway.OnSocketMessage(3, R"({"type":"answer","sdp":"v=0"})");
  CHECK(f.sink.Last(3)["code"] == "bad_sdp");
  // A malformed flag is a bad message, the session is not opened.
  f.gateway.OnSocketOpen(5);
  f.gateway.OnSocketMessage(5, json{{"type", "hello"}, {"token", f.Token(Role::kChair)},
                                    {"preview", "yes"}}.dump());
  CHECK(f.sink.Last(5)["code"] == "bad_message");
  CHECK(f.sessions.size() == 2);
  f.gateway.OnSocketClosed(1);
  f.gateway.OnSocketClosed(2);
  CHECK(f.sink.EventTypes(3).empty());  // no point.leave for a preview
}

TEST_CASE("point.join on a point's connection, point.leave when it closes") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "hue"));
  CHECK(f.sink.Events(1) == std::vector<json>{{{"seq", 1},
                                               {"at", 1700096400000},
                                               {"type", "point.joined"},
                                               {"point", "hue"}}});
  // The joining point gets its snapshot (before the join), then the join itself.
  CHECK(f.sink.sent[2][1]["type"] == "snapshot");
  CHECK(f.sink.sent[2][1]["seq"] == 0);
  CHECK(f.sink.EventTypes(2) == std::vector<std::string>{"point.joined"});
  CHECK(f.store->Find("conf")->state().points[1].connected_since.has_value());

  f.wall_clock.Advance(agenda::Millis(5000));
  f.gateway.OnSocketClosed(2);
  CHECK(f.sink.EventTypes(1) == std::vector<std::string>{"point.joined", "point.left"});
  CHECK(f.sink.Events(1)[1]["at"] == 1700096405000);
  CHECK_FALSE(f.store->Find("conf")->state().points[1].connected_since.has_value());
  CHECK(f.gateway.points_joined() == 0);
}

TEST_CASE("commands are acked with the client's id, and refusals echo it") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));

  json reply = f.Command(1, {{"type", "conference.start"}}, "start-1");
  // The ack carries the seq of the command's last event.
  CHECK(reply == json{{"type", "ack"}, {"id", "start-1"}, {"seq", 3}});
  // Both clients got the events, the chair before its ack.
  CHECK(f.sink.EventTypes(2) ==
        std::vector<std::string>{"point.joined", "conference.started", "recording.started"});
  CHECK(f.sink.sent[1][f.sink.sent[1].size() - 2]["event"]["type"] == "recording.started");

  reply = f.Command(1, {{"type", "agenda.start"}}, 42);
  CHECK(reply["seq"] == 4);
  CHECK(reply["id"] == 42);
  CHECK(f.sink.Events(2).back() ==
        json{{"seq", 4}, {"at", 1700096400000}, {"type", "agenda.item_started"}, {"item", "khai-mac"}});

  reply = f.Command(1, {{"type", "agenda.goto"}, {"item", "nowhere"}}, 7.5);
  CHECK(reply == json{{"type", "error"},
                      {"code", "unknown_item"},
                      {"message", reply["message"]},
                      {"id", 7.5},
                      {"fatal", false}});
  reply = f.Command(1, {{"type", "agenda.next"}, {"extra", 1}}, nullptr);
  CHECK(reply["code"] == "bad_command");
  CHECK(reply["id"] == nullptr);
  reply = f.Command(1, {{"type", "agenda.next"}, {"extra", 1}}, true);
  CHECK(reply["id"] == true);
  CHECK(f.store->LastSeq("conf") == 4);  // refusals journal nothing

  f.gateway.OnSocketMessage(1, R"({"type":"command","command":{"type":"agenda.next"}})");
  CHECK(f.sink.Last(1)["code"] == "bad_message");
  f.gateway.OnSocketMessage(1, R"({"type":"command","id":[1],"command":{"type":"agenda.next"}})");
  CHECK(f.sink.Last(1)["code"] == "bad_message");
  f.gateway.OnSocketMessage(1, R"({"type":"command","id":1,"command":"agenda.next"})");
  CHECK(f.sink.Last(1)["code"] == "bad_message");

  f.gateway.OnSocketOpen(3);
  reply = f.Command(3, {{"type", "agenda.next"}}, "early");
  CHECK(reply["code"] == "not_authenticated");
  CHECK(reply["id"] == "early");
  CHECK(f.sink.closed.empty());
}

TEST_CASE("an ack carries its command's last seq when on_change journals more") {
  Fixture f;
  // As the node does when the archive directory is unwritable: the recorder
  // fails as it starts, and recording.fail is journaled inside on_change.
  f.gateway.set_on_change([&] {
    if (f.store->Find("conf")->state().recording_since) {
      f.gateway.ExecuteSystem(agenda::cmd::FailRecording{"archive directory not writable"});
    }
  });
  f.Hello(1, f.Token(Role::kChair));
  f.gateway.OnSocketMessage(
      1, json{{"type", "command"}, {"id", "start"}, {"command", {{"type", "conference.start"}}}}
             .dump());
  REQUIRE(f.store->LastSeq("conf") == 3);  // conference.started, recording.started, .stopped

  const std::vector<json>& sent = f.sink.sent[1];
  const auto ack = std::find_if(sent.begin(), sent.end(),
                                [](const json& m) { return m["type"] == "ack"; });
  REQUIRE(ack != sent.end());
  CHECK(*ack == json{{"type", "ack"}, {"id", "start"}, {"seq", 2}});
  // The command's own events reach the chair before its ack.
  std::vector<std::uint64_t> before;
  for (auto m = sent.begin(); m != ack; ++m) {
    if ((*m)["type"] == "event") before.push_back((*m)["event"]["seq"]);
  }
  REQUIRE(before.size() >= 2);
  CHECK(before[0] == 1);
  CHECK(before[1] == 2);
  CHECK(f.sink.EventTypes(1) ==
        std::vector<std::string>{"conference.started", "recording.started", "recording.stopped"});
}

TEST_CASE("the actor comes from the token: roles are enforced") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(3, f.Token(Role::kObserver));
  f.Hello(4, f.Token(Role::kOperator));
  f.Hello(5, f.Token(Role::kPoint, "hue"));
  f.Ok(1, {{"type", "conference.start"}});

  CHECK(f.Command(2, {{"type", "floor.grant"}, {"point", "ha-noi"}})["code"] == "forbidden");
  CHECK(f.Command(2, {{"type", "agenda.start"}})["code"] == "forbidden");
  CHECK(f.Command(3, {{"type", "agenda.start"}})["code"] == "forbidden");
  CHECK(f.Command(2, {{"type", "attendance.checkin"},
                      {"point", "hue"},
                      {"delegates", json::array()},
                      {"headcount", 3}})["code"] == "forbidden");
  // Presence is the node's alone, whoever asks.
  for (ConnectionId id : {1, 2, 3, 4}) {
    CHECK(f.Command(id, {{"type", "point.leave"}, {"point", "ha-noi"}})["code"] == "forbidden");
    CHECK(f.Command(id, {{"type", "point.join"}, {"point", "ha-noi"}})["code"] == "forbidden");
  }
  CHECK(f.store->Find("conf")->state().points[0].connected_since.has_value());

  f.Ok(2, {{"type", "attendance.checkin"},
           {"delegates", {{{"name", "Phạm Văn Hậu"}, {"title", "Phó Bí thư"}}}},
           {"headcount", 12}});
  f.Ok(4, {{"type", "attendance.checkin"},
           {"point", "hue"},
           {"delegates", json::array()},
           {"headcount", 9}});
  f.Ok(2, {{"type", "hand.raise"}});
  f.Ok(1, {{"type", "floor.grant"}, {"point", "ha-noi"}});
  CHECK(f.sink.EventTypes(3).back() == "floor.granted");
  CHECK(f.sink.Events(5).back()["point"] == "ha-noi");
}

TEST_CASE("the chair and the operator reset a rehearsal and every client hears it") {
  Fixture f;
  std::vector<bool> recording;  // what the node's recorder is told after each batch
  f.gateway.set_on_change(
      [&] { recording.push_back(f.store->Find("conf")->state().recording_since.has_value()); });
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(3, f.Token(Role::kOperator));
  CHECK(f.Command(1, {{"type", "conference.reset"}})["code"] == "not_started");
  f.Ok(1, {{"type", "conference.start"}});
  f.Ok(1, {{"type", "agenda.start"}});
  f.Ok(2, {{"type", "hand.raise"}});
  CHECK(f.Command(2, {{"type", "conference.reset"}})["code"] == "forbidden");

  json reply = f.Command(1, {{"type", "conference.reset"}}, "reset-1");
  CHECK(reply == json{{"type", "ack"}, {"id", "reset-1"}, {"seq", f.store->LastSeq("conf")}});
  const std::vector<std::string> batch = {"agenda.item_ended", "hand.lowered",
                                          "recording.stopped", "conference.reset"};
  for (ConnectionId id : {1, 2, 3}) {
    INFO("connection " << id);
    const std::vector<std::string> types = f.sink.EventTypes(id);
    REQUIRE(types.size() >= batch.size());
    CHECK(std::vector<std::string>(types.end() - 4, types.end()) == batch);
    CHECK(f.sink.Events(id).back()["rehearsal"] == 1);
  }
  CHECK(recording.back() == false);  // the reset stopped the recorder

  f.Ok(1, {{"type", "conference.start"}});
  CHECK(recording.back() == true);
  reply = f.Command(3, {{"type", "conference.reset"}}, "reset-2");
  CHECK(reply["type"] == "ack");
  CHECK(f.sink.Events(2).back() == json{{"seq", f.store->LastSeq("conf")},
                                        {"at", 1700096400000},
                                        {"type", "conference.reset"},
                                        {"rehearsal", 2}});
  f.Hello(4, f.Token(Role::kObserver));
  const json& snapshot = f.sink.sent[4][1];
  REQUIRE(snapshot["type"] == "snapshot");
  CHECK(snapshot["state"]["phase"] == "scheduled");
  CHECK(snapshot["state"]["rehearsals"] == 2);
  CHECK(snapshot["state"]["points"][0]["connected"] == true);
}

TEST_CASE("a point receives only its own question events") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(3, f.Token(Role::kPoint, "hue"));
  f.Hello(4, f.Token(Role::kObserver));
  f.Ok(1, {{"type", "conference.start"}});
  f.Ok(2, {{"type", "question.submit"}, {"text", "Đề nghị làm rõ Điều 5?"}});
  f.Ok(1, {{"type", "question.approve"}, {"question", 1}});
  f.Ok(1, {{"type", "question.answer"}, {"question", 1}});

  const std::vector<std::string> questions = {"question.submitted", "question.approved",
                                              "question.answered"};
  auto question_events = [&](ConnectionId id) {
    std::vector<std::string> types;
    for (const std::string& t : f.sink.EventTypes(id)) {
      if (t.starts_with("question.")) types.push_back(t);
    }
    return types;
  };
  CHECK(question_events(1) == questions);
  CHECK(question_events(2) == questions);
  CHECK(question_events(4) == questions);
  CHECK(question_events(3).empty());
  CHECK(f.sink.Events(1)[4]["text"] == "Đề nghị làm rõ Điều 5?");

  // Snapshots are filtered the same way.
  f.Hello(5, f.Token(Role::kPoint, "hue"));
  CHECK(f.sink.sent[5][1]["state"]["questions"].empty());
  f.Hello(6, f.Token(Role::kPoint, "ha-noi"));
  CHECK(f.sink.sent[6][1]["state"]["questions"].size() == 1);
}

TEST_CASE("a client resuming with last_seq gets exactly the events it missed") {
  Fixture f;
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  f.Ok(1, {{"type", "conference.start"}});
  f.Ok(1, {{"type", "agenda.start"}});
  const std::uint64_t seen = f.store->LastSeq("conf");  // 3
  f.Ok(2, {{"type", "question.submit"}, {"text", "Câu hỏi"}});
  f.Hello(3, f.Token(Role::kPoint, "hue"));
  f.Ok(1, {{"type", "agenda.next"}});
  const std::uint64_t head = f.store->LastSeq("conf");

  f.Hello(10, f.Token(Role::kChair), seen);
  std::vector<std::uint64_t> seqs;
  for (const json& e : f.sink.Events(10)) seqs.push_back(e["seq"]);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t s = seen + 1; s <= head; ++s) expected.push_back(s);
  CHECK(seqs == expected);
  REQUIRE(f.sink.sent[10].size() == 1 + expected.size());  // welcome, then events only
  // Identical to what the live chair received.
  const std::vector<json> live = f.sink.Events(1);
  CHECK(f.sink.Events(10) == std::vector<json>(live.end() - expected.size(), live.end()));

  // A point resumes through the same filter: hue never sees ha-noi's question.
  f.Hello(11, f.Token(Role::kObserver), seen);
  CHECK(f.sink.Events(11).size() == expected.size());
  f.gateway.OnSocketClosed(3);  // hue's point.left
  f.Hello(12, f.Token(Role::kPoint, "hue"), seen);
  for (const json& e : f.sink.Events(12)) CHECK(e["type"] != "question.submitted");

  f.Hello(13, f.Token(Role::kChair), f.store->LastSeq("conf"));  // up to date
  CHECK(f.sink.sent[13].size() == 1);
  f.Hello(14, f.Token(Role::kChair), f.store->LastSeq("conf") + 5);  // from another journal
  CHECK(f.sink.sent[14][1]["type"] == "snapshot");
  CHECK(f.sink.sent[14][1]["seq"] == f.store->LastSeq("conf"));

  f.gateway.OnSocketOpen(15);
  f.gateway.OnSocketMessage(15, R"({"type":"hello","token":"x","last_seq":-1})");
  CHECK(f.sink.Last(15)["code"] == "bad_message");
}

TEST_CASE("a client too far behind gets a snapshot instead of the events") {
  Fixture f;
  f.Hello(1, f.Token(Role::kPoint, "ha-noi"));  // seq 1
  for (std::uint64_t i = 0; i < Gateway::kMaxResumeEvents + 1; ++i) {
    REQUIRE(f.store->Execute("conf",
                             agenda::cmd::CheckIn{"", {}, static_cast<std::int64_t>(i + 1)},
                             agenda::Actor::Point("ha-noi"), f.wall_clock.Now()));
  }
  const std::uint64_t head = f.store->LastSeq("conf");
  f.Hello(2, f.Token(Role::kChair), head - Gateway::kMaxResumeEvents);
  CHECK(f.sink.Events(2).size() == Gateway::kMaxResumeEvents);
  f.Hello(3, f.Token(Role::kChair), head - Gateway::kMaxResumeEvents - 1);
  REQUIRE(f.sink.sent[3].size() == 2);
  CHECK(f.sink.sent[3][1]["type"] == "snapshot");
  CHECK(f.sink.sent[3][1]["seq"] == head);
  CHECK(f.sink.sent[3][1]["state"]["points"][0]["checkin"]["headcount"] ==
        Gateway::kMaxResumeEvents + 1);
}

TEST_CASE("presence left over from a crash is cleared, and shutdown journals the leaves") {
  Fixture f;
  REQUIRE(f.store->Execute("conf", agenda::cmd::JoinPoint{"hue"}, agenda::Actor::System(),
                           f.wall_clock.Now()));
  REQUIRE(f.gateway.ClearStalePresence());
  CHECK_FALSE(f.store->Find("conf")->state().points[1].connected_since.has_value());
  CHECK(f.store->LastSeq("conf") == 2);

  f.Hello(1, f.Token(Role::kPoint, "hue"));  // a normal join again
  CHECK(f.store->Find("conf")->state().points[1].connected_since.has_value());
  f.gateway.CloseAll();
  CHECK(f.sink.closed.at(1) == 1001);
  CHECK_FALSE(f.store->Find("conf")->state().points[1].connected_since.has_value());
  CHECK(f.gateway.points_joined() == 0);
  f.gateway.OnSocketClosed(1);  // the late close must not leave twice
  CHECK(f.store->LastSeq("conf") == 4);
}

TEST_CASE("HTTP: the attendance report for the chair and the operator") {
  Fixture f;
  auto get = [&](std::string path, std::string auth = "") {
    return f.gateway.OnHttpRequest(HttpRequest{"GET", std::move(path), std::move(auth)});
  };
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kPoint, "ha-noi"));
  f.Ok(1, {{"type", "conference.start"}});
  f.Ok(2, {{"type", "attendance.checkin"},
           {"delegates", {{{"name", "Lâm Đông"}, {"title", "Trưởng Ban Tổ chức"}}}},
           {"headcount", 7}});
  f.wall_clock.Advance(agenda::Millis(60000));

  for (std::string path : {"/api/attendance.json", "/api/attendance.csv"}) {
    CHECK(get(path).status == 401);
    CHECK(get(path, "Bearer nonsense").status == 401);
    CHECK(get(path, "Bearer " + f.Token(Role::kPoint, "hue")).status == 403);
    CHECK(get(path, "Bearer " + f.Token(Role::kObserver)).status == 403);
    CHECK(get(path, "Bearer " + f.Token(Role::kChair, "", "other")).status == 403);
  }
  auto report = get("/api/attendance.json", "Bearer " + f.Token(Role::kChair));
  REQUIRE(report.status == 200);
  CHECK(report.content_type == "application/json");
  const json body = json::parse(report.body);
  REQUIRE(body["points"].size() == 2);
  CHECK(body["points"][0]["headcount"] == 7);
  CHECK(body["points"][0]["delegates"][0]["name"] == "Lâm Đông");

  auto csv = get("/api/attendance.csv", "Bearer " + f.Token(Role::kOperator));
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type == "text/csv; charset=utf-8");
  CHECK(csv.body.starts_with("\xEF\xBB\xBF" "point,name,"));
  CHECK(csv.body.find("Lâm Đông (Trưởng Ban Tổ chức)") != std::string::npos);
}

}  // namespace bridgecast::signaling

namespace bridgecast::signaling {

TEST_CASE("staff get link health pushed, with each point's send rate since the last push") {
  Fixture f;
  HealthThresholds thresholds;
  thresholds.rtt_alarm_ms = 300;
  f.gateway.set_health_thresholds(thresholds);
  f.Hello(1, f.Token(Role::kChair));
  f.Hello(2, f.Token(Role::kOperator));
  f.Hello(3, f.Token(Role::kPoint, "ha-noi"));
  f.Hello(4, f.Token(Role::kObserver));
  REQUIRE(f.sessions.size() == 1);
  FakeSession& session = *f.sessions[0];
  session.state = media::LinkState::kConnected;
  session.stats_.bytes_sent = 1000;
  session.stats_.round_trip = std::chrono::microseconds(42000);

  auto stats_of = [&](ConnectionId id) {
    std::vector<json> out;
    for (const json& m : f.sink.sent[id]) {
      if (m["type"] == "stats") out.push_back(m);
    }
    return out;
  };
  f.gateway.PushStats(std::chrono::milliseconds(500));
  REQUIRE(stats_of(1).size() == 1);
  REQUIRE(stats_of(2).size() == 1);
  CHECK(stats_of(3).empty());  // points and observers see no one's link health
  CHECK(stats_of(4).empty());
  json first = stats_of(2)[0];
  CHECK(first["at"] == 1700096400000);
  CHECK(first["keyframe_age_ms"] == 500);
  CHECK(first["thresholds"]["rtt_alarm_ms"] == 300.0);
  REQUIRE(first["points"].size() == 2);
  CHECK(first["points"][0]["point"] == "ha-noi");
  CHECK(first["points"][0]["state"] == "connected");
  CHECK(first["points"][0]["connected"] == true);
  CHECK(first["points"][0]["rtt_ms"] == 42.0);
  CHECK(first["points"][0]["kbps"] == 0.0);  // one sample is no rate yet
  CHECK(first["points"][1] == json{{"point", "hue"}, {"connected", false}, {"state", "absent"}});

  f.clock.Advance(std::chrono::seconds(2));
  session.stats_.bytes_sent = 1000 + 250000;
  f.gateway.PushStats(std::nullopt);
  const json second = stats_of(1).back();
  CHECK(second["keyframe_age_ms"].is_null());
  CHECK(second["points"][0]["kbps"] == Approx(1000.0));  // 250 kB in 2 s
}

}  // namespace bridgecast::signaling

namespace bridgecast::signaling {

TEST_CASE("HTTP: the join links are the operator's alone") {
  Fixture f;
  auto get = [&](const std::string& token) {
    return f.gateway.OnHttpRequest({"GET", "/api/join-links", "Bearer " + token, ""});
  };
  CHECK(get(f.Token(Role::kOperator)).status == 404);  // not made yet
  f.gateway.set_join_links([] { return json{{"points", json::array({{{"point", "ha-noi"}}})}}; });
  const HttpResponse links = get(f.Token(Role::kOperator));
  REQUIRE(links.status == 200);
  CHECK(json::parse(links.body)["points"][0]["point"] == "ha-noi");
  CHECK(get(f.Token(Role::kChair)).status == 403);
  CHECK(get(f.Token(Role::kReviewer)).status == 403);
  CHECK(get(f.Token(Role::kPoint, "ha-noi")).status == 403);
  CHECK(get(f.Token(Role::kOperator, "", "other")).status == 403);
  CHECK(f.gateway.OnHttpRequest({"GET", "/api/join-links", "", ""}).status == 401);
  // The chair still reads the other staff routes.
  CHECK(f.gateway.OnHttpRequest({"GET", "/api/points", "Bearer " + f.Token(Role::kChair), ""})
            .status == 200);
}

}  // namespace bridgecast::signaling

namespace bridgecast::signaling {
namespace {

// A WHIP source "obs" that answers offers "v=0 good" at once or later and
// refuses the rest as the real one would.
struct FakeWhip {
  std::vector<WhipEndpoint::AnswerDone> waiting;
  std::vector<std::string> ended;
  std::map<HttpExchangeId, HttpResponse> responded;
  bool client_gone = false;

  WhipEndpoint Endpoint() {
    return {[](std::string_view id) -> std::optional<std::string> {
              if (id.empty() || id == "obs") return "obs";
              return std::nullopt;
            },
            [this](const std::string&, std::string sdp, WhipEndpoint::AnswerDone done) {
              if (sdp == "v=0 later") return waiting.push_back(std::move(done));
              if (sdp == "v=0 good") return done(WhipEndpoint::Answer{"s1", "v=0 answer"});
              if (sdp == "v=0 vp8") return done(Error{"unsupported_codec", "no H.264 (VP8)"});
              done(Error{"busy", "source 'obs' already has a publisher"});
            },
            [this](const std::string&, std::string_view session) {
              if (session != "s1" && session != "s2") return false;
              ended.emplace_back(session);
              return true;
            }};
  }
};

HttpRequest Whip(std::string method, std::string path, std::string token,
                 std::string body = "", std::string content_type = "application/sdp") {
  HttpRequest r{std::move(method), std::move(path), token.empty() ? "" : "Bearer " + token};
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  r.exchange = 7;
  return r;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace

TEST_CASE("WHIP: a publisher token of the conference posts an offer and deletes its session") {
  Fixture f;
  FakeWhip whip;
  f.gateway.set_whip(whip.Endpoint());
  f.gateway.set_responder([&](HttpExchangeId id, HttpResponse r) {
    if (whip.client_gone) return false;
    whip.responded[id] = std::move(r);
    return true;
  });
  const std::string publisher = f.Token(Role::kPublisher);

  auto created = f.gateway.OnHttpRequest(Whip("POST", "/whip/conf", publisher, "v=0 good"));
  CHECK(created.status == 201);
  CHECK(created.content_type == "application/sdp");
  CHECK(created.body == "v=0 answer");
  CHECK(HeaderOf(created, "Location") == "/whip/conf/obs/s1");
  CHECK(f.gateway.OnHttpRequest(Whip("POST", "/whip/conf/obs", publisher, "v=0 good",
                                     "application/SDP; charset=utf-8"))
            .status == 201);

  // Answered after ICE gathering: the exchange is deferred, then answered.
  auto later = f.gateway.OnHttpRequest(Whip("POST", "/whip/conf/obs", publisher, "v=0 later"));
  CHECK(later.deferred);
  REQUIRE(whip.waiting.size() == 1);
  whip.waiting[0](WhipEndpoint::Answer{"s2", "v=0 late answer"});
  REQUIRE(whip.responded.contains(7));
  CHECK(whip.responded[7].status == 201);
  CHECK(HeaderOf(whip.responded[7], "Location") == "/whip/conf/obs/s2");
  // A publisher that gave up waiting leaves no session behind.
  f.gateway.OnHttpRequest(Whip("POST", "/whip/conf/obs", publisher, "v=0 later"));
  whip.client_gone = true;
  whip.waiting[1](WhipEndpoint::Answer{"s2", "v=0 late answer"});
  CHECK(whip.ended == std::vector<std::string>{"s2"});

  CHECK(f.gateway.OnHttpRequest(Whip("DELETE", "/whip/conf/obs/s1", publisher)).status == 200);
  CHECK(whip.ended.back() == "s1");
  CHECK(f.gateway.OnHttpRequest(Whip("DELETE", "/whip/conf/obs/nope", publisher)).status == 404);
}

TEST_CASE("WHIP: refusals by token, path, method, content type and the source's answer") {
  Fixture f;
  FakeWhip whip;
  f.gateway.set_whip(whip.Endpoint());
  const std::string publisher = f.Token(Role::kPublisher);
  auto post = [&](std::string path, std::string token, std::string body = "v=0 good",
                  std::string type = "application/sdp") {
    return f.gateway.OnHttpRequest(Whip("POST", std::move(path), std::move(token),
                                        std::move(body), std::move(type)));
  };
  CHECK(post("/whip/conf", "").status == 401);
  CHECK(post("/whip/conf", "bc1.bad.sig").status == 401);
  CHECK(post("/whip/conf", f.Token(Role::kOperator)).status == 403);
  CHECK(post("/whip/conf", f.Token(Role::kPoint, "hue")).status == 403);
  CHECK(post("/whip/conf", f.Token(Role::kPublisher, "", "other")).status == 403);
  CHECK(post("/whip/other", publisher).status == 404);
  CHECK(post("/whip/conf/camera", publisher).status == 404);
  CHECK(post("/whip/conf//", publisher).status == 404);
  CHECK(post("/whip/conf", publisher, "v=0 good", "application/json").status == 415);
  auto codec = post("/whip/conf", publisher, "v=0 vp8");
  CHECK(codec.status == 406);
  CHECK(json::parse(codec.body)["code"] == "unsupported_codec");
  CHECK(json::parse(codec.body)["message"] == "no H.264 (VP8)");
  auto busy = post("/whip/conf", publisher, "v=0 again");
  CHECK(busy.status == 409);
  CHECK(json::parse(busy.body)["code"] == "busy");

  for (const char* method : {"PATCH", "GET", "PUT"}) {
    auto refused = f.gateway.OnHttpRequest(Whip(method, "/whip/conf/obs/s1", publisher));
    CHECK(refused.status == 405);
    CHECK(HeaderOf(refused, "Allow") == "POST, DELETE");
  }
  CHECK(f.gateway.OnHttpRequest(Whip("DELETE", "/whip/conf/obs", publisher)).status == 405);
  auto options = f.gateway.OnHttpRequest(Whip("OPTIONS", "/whip/conf", ""));
  CHECK(options.status == 204);
  CHECK(HeaderOf(options, "Accept-Post") == "application/sdp");
  CHECK(whip.ended.empty());
}

}  // namespace bridgecast::signaling
