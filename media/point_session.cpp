#include "media/point_session.hpp"

namespace bridgecast::media {

std::string_view ToString(LinkState state) {
  switch (state) {
    case LinkState::kNew:
      return "new";
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kConnected:
      return "connected";
    case LinkState::kDisconnected:
      return "disconnected";
    case LinkState::kFailed:
      return "failed";
    case LinkState::kClosed:
      return "closed";
  }
  return "failed";
}

}  // namespace bridgecast::media
