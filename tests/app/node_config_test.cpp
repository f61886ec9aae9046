#include "app/node_config.hpp"

#include <catch2/catch.hpp>
#include <fstream>

namespace bridgecast::app {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("listen addresses parse as IP:PORT") {
  auto v4 = ParseListenAddress("127.0.0.1:0");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 0);
  auto v6 = ParseListenAddress("[::1]:8443");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8443);
  for (const char* bad : {"127.0.0.1", "localhost:80", "1.2.3.4:65536", "1.2.3.4:-1",
                          "1.2.3.4:80x", "[::1]8443", ":80"}) {
    INFO(bad);
    auto r = ParseListenAddress(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_config");
  }
}

TEST_CASE("a config file sets the program, ICE and paths") {
  NodeConfig config;
  Status s = ApplyConfigFile(R"({
    "listen": "0.0.0.0:9443", "state_dir": "/srv/bc", "public_url": "https://bc.example:9443",
    "program": {"width": 640, "height": 360, "fps": 25, "video_kbps": 600, "cbr_filler": true,
                "capture_stamp": true},
    "ice": {"addresses": ["127.0.0.1", "::1"]}
  })",
                             config);
  REQUIRE(s);
  CHECK(config.listen.port == 9443);
  CHECK(config.state_dir == "/srv/bc");
  CHECK(config.program.width == 640);
  CHECK(config.program.fps == 25);
  CHECK(config.program.video_bitrate == Bitrate::KilobitsPerSecond(600));
  CHECK(config.program.cbr_filler);
  CHECK(config.program.capture_stamp);
  CHECK_FALSE(NodeConfig().program.capture_stamp);  // never on air unless asked for
  CHECK(config.ice.addresses.size() == 2);
}

TEST_CASE("the example config file is accepted as shipped") {
  NodeConfig config;
  Status s = ApplyConfigFile(ReadText(std::string(BRIDGECAST_SOURCE_DIR) +
                                      "/deploy/bridgecast.example.json"),
                             config);
  INFO((s ? "" : s.error().message));
  REQUIRE(s);
  CHECK(config.health.loss_alarm == 0.08);
  CHECK(config.health.rtt_warn_ms == 150);
  REQUIRE(config.ingest.sources.size() == 6);
  CHECK(config.ingest.on_air == "hall");
  CHECK(config.ingest.sources[0].kind == ingest::SourceKind::kSrt);
  CHECK(config.ingest.sources[0].backup == "camera");
  CHECK(config.ingest.sources[2].kind == ingest::SourceKind::kWhip);
  CHECK(config.ingest.sources[4].audio_device == "alsa:hw:1,0");
}

TEST_CASE("ingest sources are checked one by one and name what is wrong") {
  const char* bad[][2] = {
      {R"({"ingest": {"sources": [{"id": "Hall", "kind": "srt", "uri": "srt://:9000"}]}})", "id"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "ndi"}]}})", "kind"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "srt"}]}})", "uri"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "srt", "uri": "udp://x:1"}]}})", "srt://"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "srt", "uri": "srt://:1", "passphrase": "short"}]}})",
       "passphrase"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "file", "uri": "/x.mp4"}]}})", "path"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "device", "video": "video0"}]}})", "video"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "test_pattern", "backup": "b"}]}})", "backup"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "test_pattern"}, {"id": "a", "kind": "test_pattern"}]}})",
       "twice"},
      {R"({"ingest": {"sources": [{"id": "a", "kind": "test_pattern"}], "on_air": "b"}})", "on_air"},
      {R"({"ingest": {"loudness_lufs": 3}})", "loudness"},
      {R"({"ingest": {"sources": []}})", "1..16"},
  };
  for (const auto& [text, names] : bad) {
    INFO(text);
    NodeConfig config;
    Status s = ApplyConfigFile(text, config);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == "bad_config");
    CHECK_THAT(s.error().message, Catch::Contains(names));
    CHECK(config.ingest.sources.empty());  // nothing half-applied
  }
}

TEST_CASE("link health thresholds come from the config, warn never above alarm") {
  NodeConfig config;
  REQUIRE(ApplyConfigFile(R"({"health": {"loss_warn": 0.01, "loss_alarm": 0.05,
                                         "rtt_alarm_ms": 300}})",
                          config));
  CHECK(config.health.loss_warn == 0.01);
  CHECK(config.health.loss_alarm == 0.05);
  CHECK(config.health.rtt_alarm_ms == 300);
  CHECK(config.health.rtt_warn_ms == 150);  // the default stays
  for (const char* bad : {R"({"health": {"loss_warn": 0.2}})", R"({"health": {"loss_alarm": 2}})",
                          R"({"health": {"rtt_warn_ms": "fast"}})", R"({"health": {"lag": 1}})"}) {
    INFO(bad);
    Status s = ApplyConfigFile(bad, config);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == "bad_config");
  }
  CHECK(config.health.loss_warn == 0.01);  // nothing changed
}

TEST_CASE("the floor's layout, return and stall come from the config") {
  NodeConfig config;
  CHECK(config.floor.layout == floor::FloorLayout::kSpeakerPip);
  CHECK(config.floor.return_srt.empty());
  REQUIRE(ApplyConfigFile(R"({"floor": {"layout": "side_by_side",
                                        "return_srt": "srt://:9710?mode=listener",
                                        "stall_ms": 1000}})",
                          config));
  CHECK(config.floor.layout == floor::FloorLayout::kSideBySide);
  CHECK(config.floor.return_srt == "srt://:9710?mode=listener");
  CHECK(config.floor.stall == std::chrono::milliseconds(1000));
  for (const char* bad :
       {R"({"floor": {"layout": "mosaic"}})", R"({"floor": {"return_srt": "udp://:1"}})",
        R"({"floor": {"stall_ms": 50}})", R"({"floor": {"speaker": 1}})", R"({"floor": []})"}) {
    INFO(bad);
    Status s = ApplyConfigFile(bad, config);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == "bad_config");
  }
  CHECK(config.floor.layout == floor::FloorLayout::kSideBySide);  // nothing changed
}

TEST_CASE("connection limits come from the config") {
  NodeConfig config;
  CHECK(config.limits.hello_timeout == std::chrono::seconds(10));
  CHECK(config.limits.max_errors == 20);
  REQUIRE(ApplyConfigFile(R"({"limits": {"hello_timeout_ms": 5000, "max_errors": 3}})", config));
  CHECK(config.limits.hello_timeout == std::chrono::seconds(5));
  CHECK(config.limits.max_errors == 3);
  for (const char* bad : {R"({"limits": {"hello_timeout_ms": 10}})",
                          R"({"limits": {"max_errors": 0}})", R"({"limits": {"rate": 1}})"}) {
    INFO(bad);
    Status s = ApplyConfigFile(bad, config);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == "bad_config");
  }
}

TEST_CASE("a bad config file changes nothing and says what is wrong") {
  NodeConfig config;
  config.state_dir = "keep";
  std::string expect;
  std::string text;
  SECTION("unknown key") {
    text = R"({"state_dir": "x", "lisen": "1.2.3.4:1"})";
    expect = "unknown setting 'lisen'";
  }
  SECTION("out of range") {
    text = R"({"state_dir": "x", "program": {"fps": 1000}})";
    expect = "'fps'";
  }
  SECTION("wrong type") {
    text = R"({"state_dir": 5})";
    expect = "'state_dir'";
  }
  SECTION("bad ICE address") {
    text = R"({"state_dir": "x", "ice": {"addresses": ["eth0"]}})";
    expect = "IP addresses";
  }
  SECTION("not JSON") {
    text = "{";
    expect = "JSON object";
  }
  Status s = ApplyConfigFile(text, config);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == "bad_config");
  CHECK_THAT(s.error().message, Catch::Contains(expect));
  CHECK(config.state_dir == "keep");
}

}  // namespace bridgecast::app
