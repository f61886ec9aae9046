#pragma once

#include <string>
#include <string_view>

#include "client/signaling_messages.hpp"
#include "client/ws_client.hpp"

namespace bridgecast::client {

// The point's signaling session: a WsClient speaking docs/protocol.md. It
// says hello once open and turns node frames into Listener calls; frames it
// cannot parse are logged and dropped. Listener rules are WsClient's.
class SignalingClient final : public WsClient::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnSignalingOpen() = 0;
    virtual void OnWelcome(const signaling::Welcome& welcome) = 0;
    virtual void OnOffer(const std::string& sdp) = 0;
    virtual void OnRemoteCandidate(int sdp_mline_index, const std::string& candidate) = 0;
    virtual void OnRemoteState(const std::string& state) = 0;
    virtual void OnSignalingError(const signaling::NodeError& error) = 0;
    // `retryable` is false when reconnecting cannot help (certificate pin).
    virtual void OnSignalingClosed(const std::string& reason, bool retryable) = 0;
  };

  // `log_name` prefixes log lines (the point id).
  SignalingClient(WsContext& context, WsClientOptions options, std::string token,
                  std::string log_name, Listener& listener);

  void Connect() { ws_.Connect(); }
  void SendAnswer(std::string_view sdp);
  void SendCandidate(int sdp_mline_index, std::string_view candidate);
  void Close() { ws_.Close(); }
  bool open() const { return ws_.open(); }

 private:
  void OnOpen() override;
  void OnMessage(std::string_view text) override;
  void OnClosed(std::string reason) override;

  std::string token_;
  std::string log_name_;
  Listener& listener_;
  WsClient ws_;
};

}  // namespace bridgecast::client
