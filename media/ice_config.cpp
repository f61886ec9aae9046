#include "media/ice_config.hpp"

#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>

#include <algorithm>

#include "media/gst_ptr.hpp"

namespace bridgecast::media {

Status ApplyIceConfig(GstElement* webrtcbin, const IceConfig& ice) {
  g_object_set(webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  if (!ice.stun_server.empty()) {
    g_object_set(webrtcbin, "stun-server", ice.stun_server.c_str(), nullptr);
  }
  GstObject* ice_agent = nullptr;
  g_object_get(webrtcbin, "ice-agent", &ice_agent, nullptr);
  GstObjectPtr<GstObject> ice_holder(ice_agent);
  NiceAgent* agent = nullptr;
  g_object_get(ice_agent, "agent", &agent, nullptr);
  // No UPnP port mapping: it multicasts discovery on every interface.
  g_object_set(agent, "upnp", FALSE, nullptr);
  for (const std::string& address : ice.addresses) {
    NiceAddress a;
    nice_address_init(&a);
    if (!nice_address_set_from_string(&a, address.c_str()) ||
        !nice_agent_add_local_address(agent, &a)) {
      g_object_unref(agent);
      return Error{"media_failed", "bad ICE address " + address};
    }
  }
  g_object_unref(agent);
  return Ok{};
}

bool IsLoopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1";
}

bool IsLoopbackOnly(const IceConfig& ice) {
  return !ice.addresses.empty() &&
         std::all_of(ice.addresses.begin(), ice.addresses.end(),
                     [](const std::string& a) { return IsLoopback(a); });
}

}  // namespace bridgecast::media
