#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/point_signaling.hpp"
#include "client/timer.hpp"
#include "client/ws_client.hpp"

namespace bridgecast::bench {

// A viewer of a Janus streaming mountpoint through Janus's WebSocket API
// (subprotocol janus-protocol), behind the PointSignaling interface so the
// native point's receiver and counters measure Janus the same way as the
// node: create a session, attach janus.plugin.streaming, "watch" (Janus
// offers), answer with "start", then trickle candidates and "completed".
class JanusSignaling final : public client::PointSignaling, public client::WsClient::Listener {
 public:
  JanusSignaling(client::WsContext& context, client::WsClientOptions options, int mountpoint,
                 std::string log_name, PointSignaling::Listener& listener);

  void Connect() override { ws_.Connect(); }
  void SendAnswer(std::string_view sdp) override;
  void SendCandidate(int sdp_mline_index, std::string_view candidate) override;
  void Close() override { ws_.Close(); }
  bool open() const override { return ws_.open(); }

 private:
  void OnOpen() override;
  void OnMessage(std::string_view text) override;
  void OnClosed(std::string reason) override;

  void Send(const std::string& janus, std::string body_json, const std::string& transaction);
  void Fail(const std::string& code, const std::string& message);
  void KeepAlive();

  int mountpoint_;
  std::string log_name_;
  PointSignaling::Listener& listener_;
  client::WsClient ws_;
  uint64_t session_ = 0;
  uint64_t handle_ = 0;
  std::vector<std::string> mids_;  // of the offer's m-lines, for trickled candidates
  bool failed_ = false;
  client::Timer keepalive_timer_;
  client::Timer completed_timer_;
};

}  // namespace bridgecast::bench
