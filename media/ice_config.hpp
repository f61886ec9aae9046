#pragma once

#include <gst/gst.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::media {

struct IceConfig {
  // Local addresses ICE may use; empty means every interface.
  std::vector<std::string> addresses;
  std::string stun_server;  // stun://host:port, optional
};

// Sets up a webrtcbin the node's way: one bundled transport, the configured
// STUN server and local addresses, no UPnP. Before it leaves the NULL state.
Status ApplyIceConfig(GstElement* webrtcbin, const IceConfig& ice);

bool IsLoopback(std::string_view address);
// ICE is restricted to loopback addresses.
bool IsLoopbackOnly(const IceConfig& ice);

}  // namespace bridgecast::media
