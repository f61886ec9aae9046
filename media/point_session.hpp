#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "media/point_stats.hpp"

namespace bridgecast::media {

enum class LinkState { kNew, kConnecting, kConnected, kDisconnected, kFailed, kClosed };
std::string_view ToString(LinkState state);

// The media link to one bridge point: the node offers, the point answers.
// Kept small so a leaner transport can replace webrtcbin later.
class PointSession {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnLocalOffer(const std::string& sdp) = 0;
    virtual void OnLocalCandidate(unsigned mline_index, const std::string& candidate) = 0;
    virtual void OnLinkStateChanged(LinkState state) = 0;
  };

  virtual ~PointSession() = default;
  // Validates and applies the point's answer to the pending offer.
  virtual Status SetRemoteAnswer(std::string_view sdp) = 0;
  virtual Status AddRemoteCandidate(unsigned mline_index, std::string_view candidate) = 0;
  virtual LinkState link_state() const = 0;
  virtual const PointStats& stats() const = 0;
};

}  // namespace bridgecast::media
