#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/point_signaling.hpp"
#include "client/signaling_messages.hpp"
#include "client/ws_client.hpp"

namespace bridgecast::client {

// The point's signaling session: a WsClient speaking docs/protocol.md. It
// says hello once open and turns node frames into Listener calls; frames it
// cannot parse are logged and dropped. Listener rules are WsClient's.
class SignalingClient final : public PointSignaling, public WsClient::Listener {
 public:
  using Listener = PointSignaling::Listener;

  // `log_name` prefixes log lines (the point id). With `last_seq`, hello
  // asks for the events after it (a reconnect) instead of a snapshot.
  SignalingClient(WsContext& context, WsClientOptions options, std::string token,
                  std::string log_name, Listener& listener,
                  std::optional<std::uint64_t> last_seq = std::nullopt);

  void Connect() override { ws_.Connect(); }
  void SendAnswer(std::string_view sdp) override;
  void SendCandidate(int sdp_mline_index, std::string_view candidate) override;
  void SendUplinkAnswer(std::string_view sdp) override;
  void SendUplinkCandidate(int sdp_mline_index, std::string_view candidate) override;
  void Close() override { ws_.Close(); }
  bool open() const override { return ws_.open(); }

 private:
  void OnOpen() override;
  void OnMessage(std::string_view text) override;
  void OnClosed(std::string reason) override;

  std::string token_;
  std::optional<std::uint64_t> last_seq_;
  std::string log_name_;
  Listener& listener_;
  WsClient ws_;
};

}  // namespace bridgecast::client
