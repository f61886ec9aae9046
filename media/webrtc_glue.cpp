#include "media/webrtc_glue.hpp"

namespace bridgecast::media {

LinkState FromWebRtc(GstWebRTCPeerConnectionState state) {
  switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
      return LinkState::kNew;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
      return LinkState::kConnecting;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      return LinkState::kConnected;
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
      return LinkState::kDisconnected;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
      return LinkState::kFailed;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
      return LinkState::kClosed;
  }
  return LinkState::kFailed;
}

std::optional<std::string> PromiseError(GstPromise* promise) {
  const GstStructure* reply = gst_promise_get_reply(promise);
  if (!reply || !gst_structure_has_field(reply, "error")) return std::nullopt;
  GError* raw_error = nullptr;
  gst_structure_get(reply, "error", G_TYPE_ERROR, &raw_error, nullptr);
  GErrorPtr error(raw_error);
  return error ? error->message : "unknown";
}

GstSessionDescriptionPtr PromiseDescription(GstPromise* promise, const char* field) {
  const GstStructure* reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription* description = nullptr;
  if (reply) {
    gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, nullptr);
  }
  return GstSessionDescriptionPtr(description);
}

}  // namespace bridgecast::media
