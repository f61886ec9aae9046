#include "signaling/client_message.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::signaling {

TEST_CASE("client messages parse into their types") {
  auto hello = ParseClientMessage(R"({"type":"hello","token":"bc1.x.y"})");
  REQUIRE(hello.ok());
  CHECK(std::get<HelloMessage>(*hello).token == "bc1.x.y");
  auto answer = ParseClientMessage(R"({"type":"answer","sdp":"v=0\r\n"})");
  REQUIRE(answer.ok());
  CHECK(std::get<AnswerMessage>(*answer).sdp == "v=0\r\n");
  auto ice = ParseClientMessage(R"({"type":"ice","candidate":"candidate:1 1 UDP 1 127.0.0.1 5000 typ host","sdpMLineIndex":1})");
  REQUIRE(ice.ok());
  CHECK(std::get<IceMessage>(*ice).mline_index == 1);
  CHECK_FALSE(std::get<HelloMessage>(*hello).last_seq.has_value());
  auto resume = ParseClientMessage(R"({"type":"hello","token":"t","last_seq":42})");
  REQUIRE(resume.ok());
  CHECK(std::get<HelloMessage>(*resume).last_seq == 42u);
  auto command =
      ParseClientMessage(R"({"type":"command","id":"c-1","command":{"type":"agenda.next"}})");
  REQUIRE(command.ok());
  CHECK(std::get<CommandMessage>(*command).id == "c-1");
  CHECK(std::get<CommandMessage>(*command).command["type"] == "agenda.next");
  CHECK(ParseClientMessage(R"({"type":"command","id":null,"command":{}})").ok());
}

TEST_CASE("malformed client messages get the protocol's error codes") {
  struct Case {
    const char* text;
    const char* code;
  };
  for (const Case& c : {
           Case{"", "bad_json"},
           Case{"{", "bad_json"},
           Case{"[1,2]", "bad_json"},
           Case{"\"hello\"", "bad_json"},
           Case{"{\"type\":\"hello\",\"token\":\"\xc3\x28\"}", "bad_json"},
           Case{"{}", "bad_message"},
           Case{R"({"type":5})", "bad_message"},
           Case{R"({"type":"hello"})", "bad_message"},
           Case{R"({"type":"hello","token":7})", "bad_message"},
           Case{R"({"type":"ice","candidate":"x"})", "bad_message"},
           Case{R"({"type":"ice","candidate":"x","sdpMLineIndex":-1})", "bad_message"},
           Case{R"({"type":"ice","candidate":"x","sdpMLineIndex":"0"})", "bad_message"},
           Case{R"({"type":"hello","token":"t","last_seq":-1})", "bad_message"},
           Case{R"({"type":"hello","token":"t","last_seq":"4"})", "bad_message"},
           Case{R"({"type":"hello","token":"t","last_seq":1.5})", "bad_message"},
           Case{R"({"type":"hello","token":"t","last_seq":9007199254740992})", "bad_message"},
           Case{R"({"type":"command","command":{}})", "bad_message"},
           Case{R"({"type":"command","id":{},"command":{}})", "bad_message"},
           Case{R"({"type":"command","id":[],"command":{}})", "bad_message"},
           Case{R"({"type":"command","id":1})", "bad_message"},
           Case{R"({"type":"command","id":1,"command":"agenda.next"})", "bad_message"},
           Case{R"({"type":"dance"})", "unknown_type"},
       }) {
    INFO(c.text);
    auto r = ParseClientMessage(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == c.code);
  }
}

}  // namespace bridgecast::signaling
