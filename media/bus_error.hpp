#pragma once

#include <gst/gst.h>

#include <string>

namespace bridgecast::media {

// "element: message" for an ERROR bus message, the way every pipeline of ours
// reports it. `debug`, if given, receives GStreamer's debug detail (may be empty).
std::string BusErrorText(GstMessage* message, std::string* debug = nullptr);

}  // namespace bridgecast::media
