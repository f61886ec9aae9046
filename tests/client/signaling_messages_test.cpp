#include "client/signaling_messages.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bridgecast::client::signaling;
using nlohmann::json;

TEST_CASE("node messages parse") {
  SECTION("welcome") {
    auto m = ParseNodeMessage(R"({"type":"welcome","conference":{"id":"c","title":"Hội nghị"},
                                  "point":{"id":"ha-noi","name":"Thành ủy Hà Nội"},"session":"s1"})");
    REQUIRE(m.ok());
    const auto& w = std::get<Welcome>(*m);
    CHECK(w.conference_title == "Hội nghị");
    CHECK(w.point_name == "Thành ủy Hà Nội");
    CHECK(w.session == "s1");
  }
  SECTION("offer") {
    auto m = ParseNodeMessage(R"({"type":"offer","sdp":"v=0\r\n"})");
    REQUIRE(m.ok());
    CHECK(std::get<Offer>(*m).sdp == "v=0\r\n");
  }
  SECTION("ice") {
    auto m = ParseNodeMessage(
        R"({"type":"ice","candidate":"candidate:1 1 UDP 1 127.0.0.1 5000 typ host","sdpMLineIndex":1})");
    REQUIRE(m.ok());
    CHECK(std::get<RemoteCandidate>(*m).sdp_mline_index == 1);
  }
  SECTION("end of candidates") {
    auto m = ParseNodeMessage(R"({"type":"ice","candidate":"","sdpMLineIndex":0})");
    REQUIRE(m.ok());
    CHECK(std::get<RemoteCandidate>(*m).candidate.empty());
  }
  SECTION("state") {
    auto m = ParseNodeMessage(R"({"type":"state","state":"connected"})");
    REQUIRE(m.ok());
    CHECK(std::get<StateChange>(*m).state == "connected");
  }
  SECTION("error") {
    auto m = ParseNodeMessage(R"({"type":"error","code":"replaced","message":"x","fatal":true})");
    REQUIRE(m.ok());
    const auto& e = std::get<NodeError>(*m);
    CHECK(e.code == "replaced");
    CHECK(e.fatal);
  }
  SECTION("conference frames carry the seq to resume from") {
    auto snapshot = ParseNodeMessage(R"({"type":"snapshot","seq":0,"state":{}})");
    REQUIRE(snapshot.ok());
    CHECK(std::get<ConferenceFrame>(*snapshot).type == "snapshot");
    CHECK(std::get<ConferenceFrame>(*snapshot).seq == 0u);
    auto event = ParseNodeMessage(R"({"type":"event","event":{"seq":42,"type":"point.joined"}})");
    REQUIRE(event.ok());
    CHECK(std::get<ConferenceFrame>(*event).type == "event");
    CHECK(std::get<ConferenceFrame>(*event).seq == 42u);
    auto ack = ParseNodeMessage(R"({"type":"ack","id":1,"seq":42})");
    REQUIRE(ack.ok());
    CHECK(std::get<ConferenceFrame>(*ack).type == "ack");
    CHECK_FALSE(std::get<ConferenceFrame>(*ack).seq.has_value());
  }
}

TEST_CASE("the floor's uplink messages parse") {
  SECTION("uplink_offer") {
    auto m = ParseNodeMessage(R"({"type":"uplink_offer","sdp":"v=0\r\n"})");
    REQUIRE(m.ok());
    CHECK(std::get<UplinkOffer>(*m).sdp == "v=0\r\n");
  }
  SECTION("uplink_ice, not the program's ice") {
    auto m = ParseNodeMessage(
        R"({"type":"uplink_ice","candidate":"candidate:1 1 UDP 1 127.0.0.1 5000 typ host","sdpMLineIndex":1})");
    REQUIRE(m.ok());
    const auto& c = std::get<UplinkCandidate>(*m);
    CHECK(c.sdp_mline_index == 1);
    CHECK(c.candidate == "candidate:1 1 UDP 1 127.0.0.1 5000 typ host");
    auto end = ParseNodeMessage(R"({"type":"uplink_ice","candidate":"","sdpMLineIndex":0})");
    REQUIRE(end.ok());
    CHECK(std::get<UplinkCandidate>(*end).candidate.empty());
  }
  SECTION("uplink_state") {
    auto m = ParseNodeMessage(R"({"type":"uplink_state","state":"connected"})");
    REQUIRE(m.ok());
    CHECK(std::get<UplinkState>(*m).state == "connected");
  }
  SECTION("uplink_close, with a reason that may be new") {
    for (const char* reason : {"revoked", "granted", "unsupported_codec", "later_reason"}) {
      auto m = ParseNodeMessage(json{{"type", "uplink_close"}, {"reason", reason}}.dump());
      REQUIRE(m.ok());
      CHECK(std::get<UplinkClose>(*m).reason == reason);
    }
  }
}

TEST_CASE("malformed node messages are refused with a code") {
  struct Case {
    const char* text;
    const char* code;
  };
  for (Case c :
       {Case{"nope", "bad_json"}, Case{"[]", "bad_json"}, Case{R"({"sdp":"v=0"})", "bad_message"},
        Case{R"({"type":7})", "bad_message"}, Case{R"({"type":"offer"})", "bad_message"},
        Case{R"({"type":"ice","candidate":"c"})", "bad_message"},
        Case{R"({"type":"ice","candidate":"c","sdpMLineIndex":-1})", "bad_message"},
        Case{R"({"type":"ice","candidate":"c","sdpMLineIndex":"0"})", "bad_message"},
        Case{R"({"type":"error","fatal":true})", "bad_message"},
        Case{R"({"type":"welcome","point":"x"})", "bad_message"},
        Case{R"({"type":"snapshot","state":{}})", "bad_message"},
        Case{R"({"type":"snapshot","seq":-1})", "bad_message"},
        Case{R"({"type":"event","seq":3})", "bad_message"},
        Case{R"({"type":"event","event":{"seq":"3"}})", "bad_message"},
        Case{R"({"type":"uplink_offer"})", "bad_message"},
        Case{R"({"type":"uplink_offer","sdp":null})", "bad_message"},
        Case{R"({"type":"uplink_ice","sdpMLineIndex":0})", "bad_message"},
        Case{R"({"type":"uplink_ice","candidate":"c","sdpMLineIndex":256})", "bad_message"},
        Case{R"({"type":"uplink_ice","candidate":"c","sdpMLineIndex":1.5})", "bad_message"},
        Case{R"({"type":"uplink_state"})", "bad_message"},
        Case{R"({"type":"uplink_state","state":1})", "bad_message"},
        Case{R"({"type":"uplink_close"})", "bad_message"},
        Case{R"({"type":"uplink_close","reason":["revoked"]})", "bad_message"},
        Case{R"({"type":"uplink_answer","sdp":"v=0"})", "unknown_type"},
        Case{R"({"type":"bye"})", "unknown_type"}}) {
    INFO(c.text);
    auto m = ParseNodeMessage(c.text);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().code == c.code);
  }
}

TEST_CASE("point messages are the protocol's JSON") {
  CHECK(json::parse(HelloMessage("bc1.x.y")) == json{{"type", "hello"}, {"token", "bc1.x.y"}});
  CHECK(json::parse(HelloMessage("bc1.x.y", 0)) ==
        json{{"type", "hello"}, {"token", "bc1.x.y"}, {"last_seq", 0}});
  CHECK(json::parse(AnswerMessage("v=0\r\n")) == json{{"type", "answer"}, {"sdp", "v=0\r\n"}});
  CHECK(json::parse(CandidateMessage(0, "candidate:1")) ==
        json{{"type", "ice"}, {"candidate", "candidate:1"}, {"sdpMLineIndex", 0}});
  CHECK(json::parse(UplinkAnswerMessage("v=0\r\n")) ==
        json{{"type", "uplink_answer"}, {"sdp", "v=0\r\n"}});
  CHECK(json::parse(UplinkCandidateMessage(1, "candidate:2")) ==
        json{{"type", "uplink_ice"}, {"candidate", "candidate:2"}, {"sdpMLineIndex", 1}});
}

TEST_CASE("only errors that a reconnect cannot cure are permanent") {
  for (const char* code : {"bad_token", "wrong_conference", "unknown_point", "replaced"}) {
    CHECK(IsPermanentError(code));
  }
  for (const char* code : {"media_failed", "message_too_large", "bad_sdp"}) {
    CHECK_FALSE(IsPermanentError(code));
  }
}
