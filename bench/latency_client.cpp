#include "latency_client.hpp"

#include <nlohmann/json.hpp>

namespace bridgecast::bench {

LatencyClient::LatencyClient(client::WsContext& context, const client::WsClientOptions& options,
                             std::string token)
    : ws_(context, options, *this), token_(std::move(token)) {}

void LatencyClient::OnOpen() {
  ws_.Send(nlohmann::json{{"type", "hello"}, {"token", token_}}.dump());
}

void LatencyClient::OnMessage(std::string_view text) {
  const auto now = Clock::now();
  if (text.find("\"type\":\"event\"") != std::string_view::npos) {
    if (text.find("\"agenda.item_started\"") != std::string_view::npos) {
      item_started_.push_back(now);
    }
    return;
  }
  if (text.find("\"type\":\"snapshot\"") != std::string_view::npos) {
    if (snapshot_.empty()) snapshot_ = text;
    return;
  }
  if (text.find("\"type\":\"ack\"") != std::string_view::npos ||
      text.find("\"type\":\"error\"") != std::string_view::npos) {
    replies_.emplace_back(text);
  }
}

void LatencyClient::OnClosed(std::string) { closed_ = true; }

}  // namespace bridgecast::bench
