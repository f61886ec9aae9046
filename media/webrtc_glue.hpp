#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <optional>
#include <string>

#include "media/gst_ptr.hpp"
#include "media/point_session.hpp"

namespace bridgecast::media {

// What the node's webrtcbin sessions (a point's link, the floor's uplink, a
// WHIP publisher) share in reading webrtcbin.

LinkState FromWebRtc(GstWebRTCPeerConnectionState state);

// The error a settled promise carries ("error" in its reply), if any.
std::optional<std::string> PromiseError(GstPromise* promise);

// The session description a create-offer or create-answer promise carries in
// `field` ("offer" or "answer"); null if none.
GstSessionDescriptionPtr PromiseDescription(GstPromise* promise, const char* field);

}  // namespace bridgecast::media
