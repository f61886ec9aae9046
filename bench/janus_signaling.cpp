#include "janus_signaling.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace bridgecast::bench {
namespace {

using nlohmann::json;

// Janus drops a session after 60 s without a request.
constexpr std::chrono::seconds kKeepAlive{20};
// No more local candidates this long after the last one: tell Janus so.
constexpr std::chrono::milliseconds kCandidatesSettled{300};

std::vector<std::string> MidsOf(const std::string& sdp) {
  std::vector<std::string> mids;
  std::istringstream lines(sdp);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("a=mid:", 0) == 0) mids.push_back(line.substr(6));
  }
  return mids;
}

}  // namespace

JanusSignaling::JanusSignaling(client::WsContext& context, client::WsClientOptions options,
                               int mountpoint, std::string log_name,
                               PointSignaling::Listener& listener)
    : mountpoint_(mountpoint),
      log_name_(std::move(log_name)),
      listener_(listener),
      ws_(context, std::move(options), *this) {}

void JanusSignaling::Send(const std::string& janus, std::string body_json,
                          const std::string& transaction) {
  json message = json::parse(body_json.empty() ? "{}" : body_json);
  message["janus"] = janus;
  message["transaction"] = transaction;
  if (session_) message["session_id"] = session_;
  if (handle_) message["handle_id"] = handle_;
  ws_.Send(message.dump());
}

void JanusSignaling::OnOpen() {
  // Join time counts from here, as for the node: session, handle and watch
  // round trips are part of joining Janus.
  listener_.OnSignalingOpen();
  Send("create", "", "create");
}

void JanusSignaling::SendAnswer(std::string_view sdp) {
  json body = {{"body", {{"request", "start"}}},
               {"jsep", {{"type", "answer"}, {"sdp", std::string(sdp)}}}};
  Send("message", body.dump(), "start");
}

void JanusSignaling::SendCandidate(int sdp_mline_index, std::string_view candidate) {
  json c = {{"candidate", std::string(candidate)}, {"sdpMLineIndex", sdp_mline_index}};
  if (sdp_mline_index >= 0 && static_cast<size_t>(sdp_mline_index) < mids_.size()) {
    c["sdpMid"] = mids_[sdp_mline_index];
  }
  Send("trickle", json{{"candidate", c}}.dump(), "trickle");
  completed_timer_.Start(kCandidatesSettled, [this] {
    Send("trickle", json{{"candidate", {{"completed", true}}}}.dump(), "trickle");
  });
}

void JanusSignaling::KeepAlive() {
  Send("keepalive", "", "keepalive");
  keepalive_timer_.Start(std::chrono::duration_cast<std::chrono::milliseconds>(kKeepAlive),
                         [this] { KeepAlive(); });
}

void JanusSignaling::Fail(const std::string& code, const std::string& message) {
  if (failed_) return;
  failed_ = true;
  listener_.OnSignalingError({code, message, true});
}

void JanusSignaling::OnMessage(std::string_view text) {
  const json m = json::parse(text, nullptr, false);
  if (!m.is_object()) {
    spdlog::warn("{}: dropping a Janus frame that is not JSON", log_name_);
    return;
  }
  const std::string type = m.value("janus", "");
  const std::string transaction = m.value("transaction", "");
  if (type == "error") {
    const json& e = m.contains("error") ? m["error"] : json::object();
    Fail("janus_" + std::to_string(e.value("code", 0)), e.value("reason", "error"));
  } else if (type == "success" && transaction == "create") {
    session_ = m["data"]["id"].get<uint64_t>();
    Send("attach", json{{"plugin", "janus.plugin.streaming"}}.dump(), "attach");
    keepalive_timer_.Start(std::chrono::duration_cast<std::chrono::milliseconds>(kKeepAlive),
                           [this] { KeepAlive(); });
  } else if (type == "success" && transaction == "attach") {
    handle_ = m["data"]["id"].get<uint64_t>();
    Send("message", json{{"body", {{"request", "watch"}, {"id", mountpoint_}}}}.dump(), "watch");
  } else if (type == "event") {
    const json data = m.contains("plugindata") ? m["plugindata"].value("data", json::object())
                                               : json::object();
    if (data.contains("error")) {
      Fail("janus_streaming_" + std::to_string(data.value("error_code", 0)),
           data.value("error", "error"));
      return;
    }
    if (m.contains("jsep") && m["jsep"].value("type", "") == "offer") {
      const std::string sdp = m["jsep"].value("sdp", "");
      mids_ = MidsOf(sdp);
      listener_.OnOffer(sdp);
    }
  } else if (type == "trickle" && m.contains("candidate")) {
    const json& c = m["candidate"];
    if (!c.value("completed", false) && c.contains("candidate")) {
      listener_.OnRemoteCandidate(c.value("sdpMLineIndex", 0), c["candidate"].get<std::string>());
    }
  } else if (type == "webrtcup") {
    listener_.OnRemoteState("connected");
  } else if (type == "hangup") {
    listener_.OnRemoteState("closed");
  }
  // ack, media, slowlink, keepalive replies: nothing to do.
}

void JanusSignaling::OnClosed(std::string reason) {
  keepalive_timer_.Stop();
  completed_timer_.Stop();
  listener_.OnSignalingClosed(reason, true);
}

}  // namespace bridgecast::bench
