#include "client/run_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bridgecast::client;
using nlohmann::json;

TEST_CASE("the report serialises every field, unknowns as null") {
  RunReport report;
  report.duration_s = 20.5;
  PointReport decoded;
  decoded.point = "ha-noi";
  decoded.connected = true;
  decoded.first_frame_ms = 412;
  decoded.connect_ms = 180;
  decoded.first_decoded_ms = 431;
  decoded.frames_received = 600;
  decoded.keyframes_received = 3;
  decoded.frames_decoded = 598;
  decoded.width = 1280;
  decoded.height = 720;
  decoded.attempts = 1;
  for (int i = 1; i <= 100; ++i) decoded.latency_ms.push_back(i);
  decoded.stamps_unread = 2;
  decoded.last_seq = 17;
  decoded.events_received = 16;
  decoded.snapshots_received = 1;
  decoded.uplink_offers = 5;
  decoded.uplink_connections = 5;
  decoded.uplink_close_reason = "revoked";
  decoded.uplink_packets_sent = 4200;
  decoded.uplink_bytes_sent = 3100000;
  decoded.uplink_packets_dropped = 210;
  PointReport failed;
  failed.point = "đà-nẵng";
  failed.attempts = 6;
  failed.gave_up = true;
  failed.error = "not media-connected within 10000 ms";
  report.points = {decoded, failed};

  json doc = json::parse(report.ToJson());
  CHECK(doc["duration_s"] == 20.5);
  REQUIRE(doc["points"].size() == 2);
  const json& a = doc["points"][0];
  CHECK(a["point"] == "ha-noi");
  CHECK(a["connected"] == true);
  CHECK(a["first_frame_ms"] == 412);
  CHECK(a["connect_ms"] == 180);
  CHECK(a["first_decoded_ms"] == 431);
  CHECK(a["frames_received"] == 600);
  CHECK(a["keyframes_received"] == 3);
  CHECK(a["frames_decoded"] == 598);
  CHECK(a["width"] == 1280);
  CHECK(a["height"] == 720);
  CHECK(a["error"].is_null());
  CHECK(a["glass_to_glass_ms"]["samples"] == 100);
  CHECK(a["glass_to_glass_ms"]["p50"] == 50.0);
  CHECK(a["glass_to_glass_ms"]["p95"] == 95.0);
  CHECK(a["glass_to_glass_ms"]["max"] == 100.0);
  CHECK(a["stamps_unread"] == 2);
  CHECK(a["last_seq"] == 17);
  CHECK(a["events_received"] == 16);
  CHECK(a["snapshots_received"] == 1);
  CHECK(a["uplink"] == json{{"offers", 5},
                            {"connections", 5},
                            {"last_close_reason", "revoked"},
                            {"packets_sent", 4200},
                            {"bytes_sent", 3100000},
                            {"packets_dropped", 210}});
  const json& b = doc["points"][1];
  CHECK(b["point"] == "đà-nẵng");
  CHECK(b["connected"] == false);
  CHECK(b["first_frame_ms"].is_null());
  CHECK(b["connect_ms"].is_null());
  CHECK(b["first_decoded_ms"].is_null());
  CHECK(b["width"].is_null());
  CHECK(b["height"].is_null());
  CHECK(b["glass_to_glass_ms"].is_null());
  CHECK(b["last_seq"].is_null());
  CHECK(b["events_received"] == 0);
  CHECK(b["uplink"]["offers"] == 0);
  CHECK(b["uplink"]["last_close_reason"].is_null());
  CHECK(b["attempts"] == 6);
  CHECK(b["gave_up"] == true);
  CHECK(a["gave_up"] == false);
  CHECK(b["error"] == "not media-connected within 10000 ms");

  CHECK_FALSE(report.Succeeded());
  report.points[1].connected = true;
  CHECK_FALSE(report.Succeeded());  // connected once, then gave up
  report.points[1].gave_up = false;
  CHECK(report.Succeeded());
}

TEST_CASE("the summary line gives connected points and the median first frame") {
  RunReport report;
  report.duration_s = 10;
  for (int ms : {300, 100, 200}) {
    PointReport p;
    p.connected = true;
    p.first_frame_ms = ms;
    p.frames_received = 10;
    report.points.push_back(p);
  }
  report.points.push_back(PointReport{});
  std::string line = report.Summary();
  CHECK_THAT(line, Catch::Contains("3/4"));
  CHECK_THAT(line, Catch::Contains("frames received 30"));
  CHECK_THAT(line, Catch::Contains("median 200 ms"));
}
