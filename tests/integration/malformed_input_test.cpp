// Hostile and broken WebSocket input against the real node: every bad frame
// gets a JSON error with its code, and the node keeps serving.
#include <gst/gst.h>

#include <catch2/catch.hpp>
#include <deque>
#include <fstream>

#include "client/ws_client.hpp"
#include "client/ws_context.hpp"
#include "raw_websocket.hpp"
#include "test_node.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::test {
namespace {

using nlohmann::json;

class Collector final : public client::WsClient::Listener {
 public:
  void OnOpen() override { open = true; }
  void OnMessage(std::string_view text) override { messages.emplace_back(text); }
  void OnClosed(std::string reason) override {
    closed = true;
    close_reason = std::move(reason);
  }
  bool open = false;
  bool closed = false;
  std::string close_reason;
  std::deque<std::string> messages;
};

// The first message that answers a client frame (not one the node sends on
// its own: conference state, offer, ICE, media state), if any.
const std::string* Reply(const Collector& c) {
  for (const std::string& m : c.messages) {
    const json j = json::parse(m, nullptr, false);
    const std::string type = j.is_object() ? j.value("type", "") : "";
    if (type != "snapshot" && type != "event" && type != "offer" && type != "ice" &&
        type != "state") {
      return &m;
    }
  }
  return nullptr;
}

// Sends `frame` and returns the node's reply to it as JSON.
json Exchange(client::WsClient& ws, Collector& c, std::string frame) {
  c.messages.clear();
  ws.Send(std::move(frame));
  if (!test::RunLoopUntil([&] { return Reply(c) || c.closed; }, std::chrono::seconds(5))) return {};
  const std::string* reply = Reply(c);
  return reply ? json::parse(*reply, nullptr, false) : json();
}

}  // namespace

TEST_CASE("malformed WebSocket input gets JSON errors and never crashes the node") {
  TestNode node;
  REQUIRE(node.listening());
  const json links = node.links();
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  auto context = client::WsContext::Create(loop);
  REQUIRE(context.ok());

  client::WsClientOptions options;
  options.host = "127.0.0.1";
  options.port = node.port();
  options.certificate_sha256 = links["certificate_sha256"];

  {
    Collector c;
    client::WsClient ws(**context, options, c);
    ws.Connect();
    REQUIRE(test::RunLoopUntil([&] { return c.open; }, std::chrono::seconds(5)));
    struct Case {
      std::string frame;
      const char* code;
    };
    const std::vector<Case> cases = {
        {"", "bad_json"},
        {"{{{{", "bad_json"},
        {"[\"hello\"]", "bad_json"},
        {std::string("\0\1\2\3", 4), "bad_json"},
        {R"({"token":"x"})", "bad_message"},
        {R"({"type":null})", "bad_message"},
        {R"({"type":"explode"})", "unknown_type"},
        {R"({"type":"answer","sdp":"v=0"})", "not_authenticated"},
        {R"({"type":"ice","candidate":"candidate:1","sdpMLineIndex":0})", "not_authenticated"},
    };
    for (const Case& k : cases) {
      INFO("frame: " << k.frame);
      const json reply = Exchange(ws, c, k.frame);
      REQUIRE(reply.is_object());
      CHECK(reply["type"] == "error");
      CHECK(reply["code"] == k.code);
      CHECK(reply["fatal"] == false);
      CHECK_FALSE(c.closed);
    }
    // Authenticated, then bad SDP and candidates: refused, session kept.
    const std::string token = links["points"][3]["token"];
    json welcome = Exchange(ws, c, json{{"type", "hello"}, {"token", token}}.dump());
    CHECK(welcome["type"] == "welcome");
    CHECK(Exchange(ws, c, R"({"type":"answer","sdp":"not sdp at all"})")["code"] == "bad_sdp");
    CHECK(Exchange(ws, c, R"({"type":"ice","candidate":"candidate:1","sdpMLineIndex":9})")["code"] ==
          "bad_candidate");
    CHECK(Exchange(ws, c, json{{"type", "hello"}, {"token", token}}.dump())["code"] ==
          "already_authenticated");
    CHECK_FALSE(c.closed);
    // An oversized frame is fatal.
    const json big = Exchange(ws, c, std::string(70 * 1024, 'x'));
    CHECK(big["code"] == "message_too_large");
    CHECK(test::RunLoopUntil([&] { return c.closed; }, std::chrono::seconds(5)));
  }
  {
    Collector c;
    client::WsClient ws(**context, options, c);
    ws.Connect();
    REQUIRE(test::RunLoopUntil([&] { return c.open; }, std::chrono::seconds(5)));
    std::string forged = links["points"][0]["token"];
    forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
    const json reply = Exchange(ws, c, json{{"type", "hello"}, {"token", forged}}.dump());
    CHECK(reply["code"] == "bad_token");
    CHECK(reply["fatal"] == true);
    CHECK(test::RunLoopUntil([&] { return c.closed; }, std::chrono::seconds(5)));
    CHECK(ws.peer_close_code() == 4000);
  }
  {
    // Text that is not UTF-8 fails the WebSocket itself (RFC 6455 §8.1).
    Collector c;
    client::WsClient ws(**context, options, c);
    ws.Connect();
    REQUIRE(test::RunLoopUntil([&] { return c.open; }, std::chrono::seconds(5)));
    ws.Send(std::string("{\"type\":\"hello\",\"token\":\"\xff\xfe\"}"));
    CHECK(test::RunLoopUntil([&] { return c.closed; }, std::chrono::seconds(5)));
    CHECK(ws.peer_close_code() == 1007);
  }
  {
    // The node still serves a well-behaved point after all that.
    Collector c;
    client::WsClient ws(**context, options, c);
    ws.Connect();
    REQUIRE(test::RunLoopUntil([&] { return c.open; }, std::chrono::seconds(5)));
    const json welcome =
        Exchange(ws, c, json{{"type", "hello"}, {"token", links["points"][1]["token"]}}.dump());
    CHECK(welcome["type"] == "welcome");
    CHECK(test::RunLoopUntil(
        [&] {
          for (const std::string& m : c.messages) {
            if (m.find("\"offer\"") != std::string::npos) return true;
          }
          return false;
        },
        std::chrono::seconds(5)));
  }
  CHECK(node.process().running());
  context->reset();
  g_main_loop_unref(loop);
}

namespace {

// The next text frame's JSON within `limit`; null on a close or nothing.
json NextMessage(RawWebSocket& ws, std::chrono::milliseconds limit) {
  const auto frame = ws.Read(limit);
  if (!frame || frame->opcode != 1) return nullptr;
  return json::parse(frame->payload, nullptr, false);
}

bool ClosedWithin(RawWebSocket& ws, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto frame = ws.Read(std::chrono::milliseconds(200));
    if ((frame && frame->opcode == 8) || ws.closed()) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a socket without hello is closed after the hello timeout, one sending garbage after "
          "max_errors, and a chair beside them is served") {
  auto root = std::make_shared<TempDir>();
  const std::string config = root->path() + "/config.json";
  std::ofstream(config) << R"({"limits": {"hello_timeout_ms": 1000, "max_errors": 3}})";
  TestNode node(root, {"--config", config});
  REQUIRE(node.listening());
  auto silent = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  auto noisy = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  auto chair = RawWebSocket::Connect(node.port(), "/ws", "bridgecast.v1");
  REQUIRE((silent && noisy && chair));
  REQUIRE(silent->status() == 101);
  REQUIRE(chair->Send({true, 1, json{{"type", "hello"}, {"token", IssueToken(node, "chair")}}.dump()}));
  REQUIRE(NextMessage(*chair, std::chrono::seconds(5))["type"] == "welcome");

  // A binary message is refused with its own code (and counts as an error).
  REQUIRE(noisy->Send({true, 2, std::string("\x00\x01\x02", 3)}));
  CHECK(NextMessage(*noisy, std::chrono::seconds(5))["code"] == "binary_frame");
  for (int i = 0; i < 2; ++i) {
    REQUIRE(noisy->Send({true, 1, "{garbage"}));
    CHECK(NextMessage(*noisy, std::chrono::seconds(5))["code"] == "bad_json");
  }
  REQUIRE(noisy->Send({true, 1, "{garbage"}));
  const json cut = NextMessage(*noisy, std::chrono::seconds(5));
  CHECK(cut["code"] == "too_many_errors");
  CHECK(cut["fatal"] == true);
  CHECK(ClosedWithin(*noisy, std::chrono::seconds(3)));

  const json timed_out = NextMessage(*silent, std::chrono::seconds(5));
  CHECK(timed_out["code"] == "hello_timeout");
  CHECK(ClosedWithin(*silent, std::chrono::seconds(3)));

  // The chair's socket, authenticated in time and well-behaved, still works.
  REQUIRE(chair->Send(
      {true, 1, json{{"type", "command"}, {"id", 1}, {"command", {{"type", "conference.start"}}}}.dump()}));
  bool acked = false;
  for (int i = 0; i < 20 && !acked; ++i) {
    const json m = NextMessage(*chair, std::chrono::seconds(2));
    acked = m.is_object() && m["type"] == "ack";
  }
  CHECK(acked);
}

}  // namespace bridgecast::test
