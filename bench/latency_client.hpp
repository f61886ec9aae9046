#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/ws_client.hpp"

namespace bridgecast::bench {

using Clock = std::chrono::steady_clock;

// One signaling-only connection that timestamps every agenda.item_started it
// receives. Matching is a substring test, not a JSON parse, so a thousand
// clients on one loop add little to what they measure.
class LatencyClient final : public client::WsClient::Listener {
 public:
  LatencyClient(client::WsContext& context, const client::WsClientOptions& options,
                std::string token);

  void Connect() { ws_.Connect(); }
  void Send(std::string text) { ws_.Send(std::move(text)); }

  bool ready() const { return !snapshot_.empty(); }  // welcomed and sent its snapshot
  const std::string& snapshot() const { return snapshot_; }
  bool closed() const { return closed_; }
  const std::vector<Clock::time_point>& item_started() const { return item_started_; }
  // Raw frames other than events, for the chair (acks and errors).
  const std::vector<std::string>& replies() const { return replies_; }

  void OnOpen() override;
  void OnMessage(std::string_view text) override;
  void OnClosed(std::string reason) override;

 private:
  client::WsClient ws_;
  std::string token_;
  std::string snapshot_;
  bool closed_ = false;
  std::vector<Clock::time_point> item_started_;
  std::vector<std::string> replies_;
};

}  // namespace bridgecast::bench
