#include "signaling/server.hpp"

#include <glib.h>
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <vector>

#include "tests/integration/https_get.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::signaling {
namespace {

using namespace std::chrono_literals;
using test::HttpsRequest;
using test::HttpsResponse;

// Records what reaches it; answers with `answer` (by default 200 echoing the body).
class RecordingListener final : public Server::Listener {
 public:
  std::function<HttpResponse(const HttpRequest&)> answer = [](const HttpRequest& r) {
    return HttpResponse{200, "text/plain", r.body, false};
  };
  std::vector<HttpRequest> requests;
  std::vector<HttpExchangeId> aborted;

  HttpResponse OnHttpRequest(const HttpRequest& request) override {
    requests.push_back(request);
    return answer(request);
  }
  void OnHttpAborted(HttpExchangeId exchange) override { aborted.push_back(exchange); }
  void OnSocketOpen(ConnectionId) override {}
  void OnSocketMessage(ConnectionId, std::string_view) override {}
  void OnSocketOversize(ConnectionId) override {}
  void OnSocketBinary(ConnectionId) override {}
  void OnSocketClosed(ConnectionId) override {}
};

// The real server on 127.0.0.1, a free port and a throwaway TLS identity.
struct Fixture {
  explicit Fixture(std::chrono::milliseconds deferred_timeout = 10s) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bridgecast-server-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    dir = pattern;
    auto tls = EnsureTlsIdentity(dir);
    REQUIRE(tls.ok());
    ServerConfig config;
    config.port = 0;
    config.tls = *tls;
    config.http_deferred_timeout = deferred_timeout;
    auto created = Server::Create(loop, config, listener);
    REQUIRE(created.ok());
    server = std::move(*created);
  }
  ~Fixture() {
    server.reset();
    g_main_loop_unref(loop);
    std::filesystem::remove_all(dir);
  }

  // Sends `request` from another thread while the main loop serves it.
  HttpsResponse Send(const HttpsRequest& request) {
    auto answer = std::async(std::launch::async, test::HttpsSend, server->port(), request);
    REQUIRE(test::RunLoopUntil([&] { return answer.wait_for(0s) == std::future_status::ready; },
                               30s));
    return answer.get();
  }

  std::string dir;
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  RecordingListener listener;
  std::unique_ptr<Server> server;
};

HttpsRequest Make(std::string method, std::string path, std::string body = "") {
  HttpsRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.body = std::move(body);
  return request;
}

// Bytes that show any reordering, loss or duplication.
std::string Pattern(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return out;
}

}  // namespace

TEST_CASE("server: a POST body and its content type reach the listener intact") {
  Fixture f;
  HttpsRequest post = Make("POST", "/whip/program?x=1", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
  post.headers = {{"Content-Type", "application/sdp"}};
  const HttpsResponse answer = f.Send(post);
  CHECK(answer.status == 200);
  CHECK(answer.body == post.body);
  REQUIRE(f.listener.requests.size() == 1);
  const HttpRequest& seen = f.listener.requests[0];
  CHECK(seen.method == "POST");
  CHECK(seen.path == "/whip/program");
  CHECK(seen.query == "x=1");
  CHECK(seen.content_type == "application/sdp");
  CHECK(seen.body == post.body);
  CHECK(seen.exchange != 0);
}

TEST_CASE("server: a 60 KiB body sent in several writes arrives whole") {
  Fixture f;
  HttpsRequest post = Make("POST", "/api/things", Pattern(60 * 1024));
  post.body_piece = 7000;
  const HttpsResponse answer = f.Send(post);
  CHECK(answer.status == 200);
  REQUIRE(f.listener.requests.size() == 1);
  CHECK(f.listener.requests[0].body.size() == post.body.size());
  CHECK(f.listener.requests[0].body == post.body);
  CHECK(answer.body == post.body);  // and the echo, written in chunks, comes back whole
}

TEST_CASE("server: PATCH, PUT, DELETE and OPTIONS reach the listener with their bodies") {
  Fixture f;
  CHECK(f.Send(Make("PATCH", "/whip/1", "a=candidate:1 1 udp 1 127.0.0.1 9 typ host")).status ==
        200);
  CHECK(f.Send(Make("PUT", "/api/x", R"({"a":1})")).status == 200);
  CHECK(f.Send(Make("DELETE", "/whip/1", "bye")).status == 200);
  CHECK(f.Send(Make("DELETE", "/whip/2")).status == 200);
  CHECK(f.Send(Make("OPTIONS", "/whip")).status == 200);
  CHECK(f.Send(Make("POST", "/empty")).status == 200);
  REQUIRE(f.listener.requests.size() == 6);
  CHECK(f.listener.requests[0].method == "PATCH");
  CHECK(f.listener.requests[0].body == "a=candidate:1 1 udp 1 127.0.0.1 9 typ host");
  CHECK(f.listener.requests[1].method == "PUT");
  CHECK(f.listener.requests[1].body == R"({"a":1})");
  CHECK(f.listener.requests[2].method == "DELETE");
  CHECK(f.listener.requests[2].body == "bye");
  CHECK(f.listener.requests[3].method == "DELETE");
  CHECK(f.listener.requests[3].body.empty());
  CHECK(f.listener.requests[4].method == "OPTIONS");
  CHECK(f.listener.requests[5].method == "POST");
  CHECK(f.listener.requests[5].body.empty());
  std::vector<HttpExchangeId> ids;
  for (const HttpRequest& r : f.listener.requests) ids.push_back(r.exchange);
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("server: one kept-alive connection carries bodies and a deferred answer") {
  Fixture f;
  std::optional<HttpExchangeId> pending;
  f.listener.answer = [&](const HttpRequest& r) {
    if (r.path != "/later") return HttpResponse{200, "text/plain", r.body, false};
    pending = r.exchange;
    HttpResponse later;
    later.deferred = true;
    return later;
  };
  auto answers = std::async(std::launch::async, test::HttpsSendAll, f.server->port(),
                            std::vector<HttpsRequest>{Make("POST", "/a", Pattern(5000)),
                                                      Make("GET", "/b"),
                                                      Make("POST", "/later", "offer"),
                                                      Make("PATCH", "/c", "frag")});
  REQUIRE(test::RunLoopUntil(
      [&] {
        if (pending && f.server->Respond(*pending, HttpResponse{201, "text/plain", "ok", false})) {
          pending.reset();
        }
        return answers.wait_for(0s) == std::future_status::ready;
      },
      20s));
  const std::vector<HttpsResponse> got = answers.get();
  REQUIRE(got.size() == 4);
  CHECK(got[0].status == 200);
  CHECK(got[0].body == Pattern(5000));
  CHECK(got[1].status == 200);
  CHECK(got[2].status == 201);
  CHECK(got[2].body == "ok");
  CHECK(got[3].status == 200);
  CHECK(got[3].body == "frag");
  CHECK(f.listener.requests.size() == 4);
}

TEST_CASE("server: a body over the limit gets 413 and never reaches the listener") {
  Fixture f;
  const HttpsResponse refused = f.Send(Make("POST", "/whip/program", Pattern(100 * 1024)));
  CHECK(refused.status == 413);
  CHECK(refused.content_type == "application/json");
  CHECK(refused.body.find(R"("code":"body_too_large")") != std::string::npos);
  CHECK(f.listener.requests.empty());
  // The server still serves.
  CHECK(f.Send(Make("POST", "/whip/program", Pattern(64 * 1024))).status == 200);
}

TEST_CASE("server: a POST without Content-Length gets 411") {
  Fixture f;
  HttpsRequest post = Make("POST", "/whip/program");
  post.no_length = true;
  const HttpsResponse refused = f.Send(post);
  CHECK(refused.status == 411);
  CHECK(refused.body.find(R"("code":"length_required")") != std::string::npos);
  CHECK(f.listener.requests.empty());
}

TEST_CASE("server: extra response headers, HEAD and a large answer") {
  Fixture f;
  f.listener.answer = [](const HttpRequest&) {
    HttpResponse r{201, "application/sdp", Pattern(200 * 1024), false, "sid=1; HttpOnly"};
    r.headers = {{"Location", "/whip/abc"},
                 {"ETag", "\"1\""},
                 {"Accept-Patch", "application/trickle-ice-sdpfrag"}};
    return r;
  };
  const HttpsResponse created = f.Send(Make("POST", "/whip/program", "offer"));
  CHECK(created.status == 201);
  CHECK(created.Header("location") == "/whip/abc");
  CHECK(created.Header("etag") == "\"1\"");
  CHECK(created.Header("accept-patch") == "application/trickle-ice-sdpfrag");
  CHECK(created.Header("cache-control") == "no-store");
  CHECK(created.Header("set-cookie") == "sid=1; HttpOnly");
  CHECK(created.body == Pattern(200 * 1024));

  const HttpsResponse head = f.Send(Make("HEAD", "/whip/abc"));
  CHECK(head.status == 201);
  CHECK(head.Header("content-length") == std::to_string(200 * 1024));
  CHECK(head.body.empty());

  // Headers that would not fit become a 500, not a broken answer.
  f.listener.answer = [](const HttpRequest&) {
    HttpResponse r{200, "text/plain", "x", false};
    r.headers = {{"Link", std::string(10 * 1024, 'l')}};
    return r;
  };
  const HttpsResponse oversize = f.Send(Make("GET", "/"));
  CHECK(oversize.status == 500);
  CHECK(oversize.Header("link").empty());
}

TEST_CASE("server: a deferred answer given 200 ms later arrives with its Location") {
  Fixture f;
  std::optional<HttpExchangeId> pending;
  bool responded = false;
  f.listener.answer = [&](const HttpRequest& request) {
    pending = request.exchange;
    HttpResponse later;
    later.deferred = true;
    return later;
  };
  auto answer = std::async(std::launch::async, test::HttpsSend, f.server->port(),
                           Make("POST", "/whip/program", "offer"));
  REQUIRE(test::RunLoopUntil([&] { return pending.has_value(); }, 10s));
  test::RunLoopFor(200ms);
  HttpResponse created{201, "application/sdp", "answer", false};
  created.headers = {{"Location", "/whip/session-1"}};
  responded = f.server->Respond(*pending, created);
  CHECK(responded);
  CHECK_FALSE(f.server->Respond(*pending, created));  // once only
  REQUIRE(test::RunLoopUntil([&] { return answer.wait_for(0s) == std::future_status::ready; },
                             10s));
  const HttpsResponse got = answer.get();
  CHECK(got.status == 201);
  CHECK(got.body == "answer");
  CHECK(got.Header("location") == "/whip/session-1");
  CHECK(f.listener.aborted.empty());
}

TEST_CASE("server: a deferred exchange whose client left is aborted") {
  Fixture f;
  std::vector<HttpExchangeId> pending;
  f.listener.answer = [&](const HttpRequest& request) {
    pending.push_back(request.exchange);
    HttpResponse later;
    later.deferred = true;
    return later;
  };
  // With a body (lws has read it) and without (lws has read only headers).
  size_t n = 0;
  for (const char* body : {"offer", ""}) {
    HttpsRequest request = Make(*body ? "POST" : "GET", "/whip/program", body);
    request.patience = 300ms;  // then the client leaves
    CHECK(f.Send(request).status == 0);
    ++n;
    REQUIRE(test::RunLoopUntil([&] { return f.listener.aborted.size() == n; }, 5s));
    REQUIRE(pending.size() == n);
    CHECK(f.listener.aborted.back() == pending.back());
    CHECK_FALSE(f.server->Respond(pending.back(), HttpResponse{}));
  }
}

TEST_CASE("server: a deferred exchange left unanswered times out with 504") {
  Fixture f(300ms);
  std::optional<HttpExchangeId> pending;
  f.listener.answer = [&](const HttpRequest& request) {
    pending = request.exchange;
    HttpResponse later;
    later.deferred = true;
    return later;
  };
  const auto started = std::chrono::steady_clock::now();
  const HttpsResponse timed_out = f.Send(Make("POST", "/whip/program", "offer"));
  CHECK(std::chrono::steady_clock::now() - started >= 300ms);
  CHECK(timed_out.status == 504);
  CHECK(timed_out.body.find(R"("code":"timeout")") != std::string::npos);
  REQUIRE(pending.has_value());
  CHECK(f.listener.aborted == std::vector<HttpExchangeId>{*pending});
  CHECK_FALSE(f.server->Respond(*pending, HttpResponse{}));
}

}  // namespace bridgecast::signaling
