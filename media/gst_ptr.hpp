#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include <memory>
#include <string>

// Owning handles for GLib/GStreamer objects, each with the right unref.
// Elements added to a bin belong to the bin and are kept as raw pointers.
namespace bridgecast::media {

struct GstObjectUnref {
  void operator()(gpointer p) const { gst_object_unref(p); }
};
struct GstCapsUnref {
  void operator()(GstCaps* p) const { gst_caps_unref(p); }
};
struct GstStructureFree {
  void operator()(GstStructure* p) const { gst_structure_free(p); }
};
struct GstSampleUnref {
  void operator()(GstSample* p) const { gst_sample_unref(p); }
};
struct GstBufferUnref {
  void operator()(GstBuffer* p) const { gst_buffer_unref(p); }
};
struct GstPromiseUnref {
  void operator()(GstPromise* p) const { gst_promise_unref(p); }
};
struct GstSdpMessageFree {
  void operator()(GstSDPMessage* p) const { gst_sdp_message_free(p); }
};
struct GstSessionDescriptionFree {
  void operator()(GstWebRTCSessionDescription* p) const {
    gst_webrtc_session_description_free(p);
  }
};
struct GErrorFree {
  void operator()(GError* p) const { g_error_free(p); }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};

template <typename T>
using GstObjectPtr = std::unique_ptr<T, GstObjectUnref>;
using GstElementPtr = GstObjectPtr<GstElement>;
using GstPadPtr = GstObjectPtr<GstPad>;
using GstBusPtr = GstObjectPtr<GstBus>;
using GstClockPtr = GstObjectPtr<GstClock>;
using GstCapsPtr = std::unique_ptr<GstCaps, GstCapsUnref>;
using GstStructurePtr = std::unique_ptr<GstStructure, GstStructureFree>;
using GstSamplePtr = std::unique_ptr<GstSample, GstSampleUnref>;
using GstBufferPtr = std::unique_ptr<GstBuffer, GstBufferUnref>;
using GstPromisePtr = std::unique_ptr<GstPromise, GstPromiseUnref>;
using GstSdpMessagePtr = std::unique_ptr<GstSDPMessage, GstSdpMessageFree>;
using GstSessionDescriptionPtr =
    std::unique_ptr<GstWebRTCSessionDescription, GstSessionDescriptionFree>;
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;
using GCharPtr = std::unique_ptr<gchar, GFree>;

// Takes ownership of a floating reference (e.g. a fresh element) for the
// time until it is added to a bin.
inline GstElementPtr MakeElement(const char* factory, const char* name = nullptr) {
  GstElement* e = gst_element_factory_make(factory, name);
  if (e) gst_object_ref_sink(e);
  return GstElementPtr(e);
}

// Hands `element` to `bin`, which then owns it; returns it as a raw pointer,
// or nullptr if the bin refused it (e.g. a duplicate name).
inline GstElement* AddToBin(GstBin* bin, GstElementPtr element) {
  GstElement* raw = element.get();
  return gst_bin_add(bin, raw) ? raw : nullptr;
}

inline std::string ToString(const GCharPtr& s) { return s ? std::string(s.get()) : std::string(); }

}  // namespace bridgecast::media
