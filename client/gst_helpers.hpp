#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/gst_ptr.hpp"

// Small GStreamer and webrtcbin helpers shared by the point's two peer
// connections (PointReceiver for the program, PointUplink for the floor).
namespace bridgecast::client {

// Waits for `promise` and returns the error it was answered with, if any.
std::optional<std::string> PromiseError(GstPromise* promise);

// What a create-answer promise was replied with: the answer's SDP text and
// the description to set as local; or the promise's error.
struct CreatedAnswer {
  std::string sdp;
  std::shared_ptr<GstWebRTCSessionDescription> description;
};
Result<CreatedAnswer> TakeAnswer(GstPromise* promise);

// Adds `chain` to `bin`, links it in order and brings it to the bin's state.
bool AddChain(GstElement* bin, std::initializer_list<GstElement*> chain);

// Links `src` to the static sink pad of `sink`.
bool LinkPad(GstPad* src, GstElement* sink);

// webrtcbin's libnice agent (a new reference), or null with another ICE
// implementation.
NiceAgent* GetNiceAgent(GstElement* webrtc);

// Turns off UPnP and, if `addresses` is not empty, gathers on those only.
Status RestrictIce(GstElement* webrtc, const std::vector<std::string>& addresses);

// The child of `bin` made by `factory` (a new reference), or null.
GstElement* FindChildByFactory(GstElement* bin, const char* factory);

// A fakesink that neither syncs nor prerolls.
media::GstElementPtr MakeFakesink(const char* name);

// A display sink (autovideosink, autoaudiosink), or a fakesink when there is
// no display or sound device, so a point on a headless box still runs.
// `log_name` prefixes the warning.
media::GstElementPtr MakeOutputSink(const char* factory, const char* name,
                                    const std::string& log_name);

// The error or warning in a bus message as "path: text".
std::string DescribeBusMessage(GstMessage* message);

}  // namespace bridgecast::client
