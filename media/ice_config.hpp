#pragma once

#include <string>
#include <vector>

namespace bridgecast::media {

struct IceConfig {
  // Local addresses ICE may use; empty means every interface.
  std::vector<std::string> addresses;
  std::string stun_server;  // stun://host:port, optional
};

}  // namespace bridgecast::media
