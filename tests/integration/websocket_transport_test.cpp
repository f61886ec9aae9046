// The WebSocket layer as docs/protocol.md states it, probed with hand-built
// upgrade requests and frames: only /ws with subprotocol bridgecast.v1 is a
// signaling socket, and the 64 KiB limit holds for a fragmented message.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "raw_websocket.hpp"
#include "test_node.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;


// The node's reply to a frame: its JSON, or null on timeout or a non-text frame.
json ReadJson(RawWebSocket& ws) {
  auto frame = ws.Read();
  if (!frame || frame->opcode != 1) return {};
  return json::parse(frame->payload, nullptr, false);
}

}  // namespace

TEST_CASE("only /ws with subprotocol bridgecast.v1 opens a signaling socket") {
  TestNode node(kCheapProgram);
  REQUIRE(node.listening());

  auto ok = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  REQUIRE(ok);
  CHECK(ok->status() == 101);
  CHECK(ok->headers().count("sec-websocket-protocol") == 1);
  if (ok->headers().count("sec-websocket-protocol")) {
    CHECK(ok->headers().at("sec-websocket-protocol") == "bridgecast.v1");
  }
  // It speaks the protocol: a frame before hello gets the protocol's error.
  REQUIRE(ok->Send({true, 1, R"({"type":"answer","sdp":"v=0"})"}));
  CHECK(ReadJson(*ok)["code"] == "not_authenticated");

  struct Refused {
    std::string path;
    std::string subprotocol;
  };
  for (const Refused& r : std::vector<Refused>{{"/ws", ""},
                                               {"/ws", "chat"},
                                               {"/ws", "bridgecast.v2"},
                                               {"/", "bridgecast.v1"},
                                               {"/join", "bridgecast.v1"},
                                               {"/ws/x", "bridgecast.v1"}}) {
    INFO("path " << r.path << ", subprotocol '" << r.subprotocol << "'");
    auto ws = RawWebSocket::Connect(node.port(), r.path, r.subprotocol);
    REQUIRE(ws);
    CHECK(ws->status() != 101);
    CHECK(ws->closed());
  }
  CHECK(node.process().running());
}

TEST_CASE("a fragmented message over 64 KiB in total is message_too_large, fatal") {
  TestNode node(kCheapProgram);
  REQUIRE(node.listening());
  // Under the limit, the fragments make one message: unknown_type, not fatal.
  auto small = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  REQUIRE(small);
  REQUIRE(small->status() == 101);
  REQUIRE(small->Send({false, 1, R"({"type":")" + std::string(30 * 1024, 'x')}));
  REQUIRE(small->Send({true, 0, std::string(30 * 1024, 'y') + R"("})"}));
  const json reply = ReadJson(*small);
  CHECK(reply["code"] == "unknown_type");
  CHECK(reply["fatal"] == false);

  // Two 40 KiB fragments: each under the limit, the message over it.
  auto big = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  REQUIRE(big);
  REQUIRE(big->status() == 101);
  REQUIRE(big->Send({false, 1, std::string(40 * 1024, 'x')}));
  REQUIRE(big->Send({true, 0, std::string(40 * 1024, 'x')}));
  const json error = ReadJson(*big);
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "message_too_large");
  CHECK(error["fatal"] == true);
  const auto close = big->Read();
  REQUIRE(close);
  CHECK(close->opcode == 8);
  REQUIRE(close->payload.size() >= 2);
  CHECK(((static_cast<unsigned char>(close->payload[0]) << 8) |
         static_cast<unsigned char>(close->payload[1])) == 4000);
  CHECK(node.process().running());
}

}  // namespace bridgecast::test
