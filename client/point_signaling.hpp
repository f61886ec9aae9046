#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "client/signaling_messages.hpp"

namespace bridgecast::client {

class WsContext;

// A point's signaling session as PointClient sees it: the node's protocol
// (SignalingClient), or another server's for comparisons (bench/). Listener
// calls come from the main loop, never from inside a method of this class.
class PointSignaling {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The connection is open; join time is measured from here.
    virtual void OnSignalingOpen() = 0;
    virtual void OnWelcome(const signaling::Welcome& welcome) = 0;
    virtual void OnOffer(const std::string& sdp) = 0;
    virtual void OnRemoteCandidate(int sdp_mline_index, const std::string& candidate) = 0;
    virtual void OnRemoteState(const std::string& state) = 0;
    // A snapshot or event (its seq is what a reconnect resumes from), or an ack.
    virtual void OnConferenceFrame(const signaling::ConferenceFrame& frame) = 0;
    virtual void OnSignalingError(const signaling::NodeError& error) = 0;
    // The floor's uplink (docs/protocol.md, "The floor's uplink").
    virtual void OnUplinkOffer(const std::string& sdp) = 0;
    virtual void OnUplinkCandidate(int sdp_mline_index, const std::string& candidate) = 0;
    virtual void OnUplinkState(const std::string& state) = 0;
    virtual void OnUplinkClose(const std::string& reason) = 0;
    // `retryable` is false when reconnecting cannot help (certificate pin).
    virtual void OnSignalingClosed(const std::string& reason, bool retryable) = 0;
  };

  virtual ~PointSignaling() = default;
  virtual void Connect() = 0;
  virtual void SendAnswer(std::string_view sdp) = 0;
  virtual void SendCandidate(int sdp_mline_index, std::string_view candidate) = 0;
  // The uplink's; a server that never offers one (bench/) need not send them.
  virtual void SendUplinkAnswer(std::string_view) {}
  virtual void SendUplinkCandidate(int, std::string_view) {}
  // Sends what is queued, then closes; OnSignalingClosed follows.
  virtual void Close() = 0;
  virtual bool open() const = 0;
};

// Makes one attempt's signaling session; the listener outlives it.
using PointSignalingFactory = std::function<std::unique_ptr<PointSignaling>(
    WsContext& context, PointSignaling::Listener& listener)>;

}  // namespace bridgecast::client
