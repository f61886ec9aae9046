#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/ws_client.hpp"
#include "test_node.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::test {

// How a client reaches `node`: loopback, pinned to the node's certificate.
client::WsClientOptions Options(const TestNode& node);

// True for an ack; false for an error or the null json of a timed-out Call.
bool IsAck(const nlohmann::json& reply);

// A signaling-only client of the conference protocol: keeps every message it
// receives, parsed, and numbers its commands. It never answers a media offer.
class ConferenceClient final : public client::WsClient::Listener {
 public:
  ConferenceClient(client::WsContext& context, const client::WsClientOptions& options);

  // Connects; hello is sent as soon as the socket is open.
  void Join(std::string token, std::optional<std::uint64_t> last_seq = std::nullopt);
  // Sends a command; returns the id its reply will carry.
  int Send(const nlohmann::json& command);
  // Sends any text as it is (a session message, or something malformed).
  void SendRaw(const std::string& text);
  // The ack or error for command `id`, if it has arrived.
  const nlohmann::json* Reply(int id) const;
  // Sends and waits (bounded) for the reply; null json on timeout.
  nlohmann::json Call(const nlohmann::json& command,
                      std::chrono::milliseconds limit = std::chrono::seconds(20));

  const std::vector<nlohmann::json>& messages() const { return messages_; }
  std::vector<nlohmann::json> Events() const;  // the "event" payloads, in order
  const nlohmann::json* Snapshot() const;      // the first snapshot, if any
  bool HasEvent(const std::function<bool(const nlohmann::json&)>& match) const;
  bool closed() const { return closed_; }

  void OnOpen() override;
  void OnMessage(std::string_view text) override;
  void OnClosed(std::string reason) override;

 private:
  client::WsClient ws_;
  std::string token_;
  std::optional<std::uint64_t> last_seq_;
  int next_id_ = 1;
  bool closed_ = false;
  std::vector<nlohmann::json> messages_;
};

}  // namespace bridgecast::test
