#include "client/gst_helpers.hpp"

#include <gst/webrtc/webrtc.h>
#include <spdlog/spdlog.h>

#include <iterator>

namespace bridgecast::client {

std::optional<std::string> PromiseError(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return "no reply";
  const GstStructure* reply = gst_promise_get_reply(promise);
  if (!reply || !gst_structure_has_field(reply, "error")) return std::nullopt;
  GError* error = nullptr;
  gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
  media::GErrorPtr owned(error);
  return std::string(error ? error->message : "unknown error");
}

Result<CreatedAnswer> TakeAnswer(GstPromise* promise) {
  if (auto error = PromiseError(promise)) return Error{"gst", *error};
  GstWebRTCSessionDescription* answer = nullptr;
  gst_structure_get(gst_promise_get_reply(promise), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                    &answer, nullptr);
  if (!answer) return Error{"gst", "no answer"};
  std::shared_ptr<GstWebRTCSessionDescription> shared(answer, &gst_webrtc_session_description_free);
  media::GCharPtr text(gst_sdp_message_as_text(answer->sdp));
  return CreatedAnswer{media::ToString(text), std::move(shared)};
}

bool AddChain(GstElement* bin, std::initializer_list<GstElement*> chain) {
  for (GstElement* e : chain) {
    if (!e) return false;
  }
  // The bin takes its own reference; the callers' handles keep theirs.
  for (GstElement* e : chain) gst_bin_add(GST_BIN(bin), e);
  GstElement* prev = nullptr;
  for (GstElement* e : chain) {
    if (prev && !gst_element_link(prev, e)) return false;
    prev = e;
  }
  // Downstream first, so nothing pushes into an element that is not ready.
  for (auto it = std::rbegin(chain); it != std::rend(chain); ++it) {
    if (!gst_element_sync_state_with_parent(*it)) return false;
  }
  return true;
}

bool LinkPad(GstPad* src, GstElement* sink) {
  media::GstPadPtr sink_pad(gst_element_get_static_pad(sink, "sink"));
  return sink_pad && gst_pad_link(src, sink_pad.get()) == GST_PAD_LINK_OK;
}

NiceAgent* GetNiceAgent(GstElement* webrtc) {
  GstWebRTCICE* ice_raw = nullptr;
  g_object_get(webrtc, "ice-agent", &ice_raw, nullptr);
  media::GstObjectPtr<GstWebRTCICE> ice(ice_raw);
  if (!ice || !g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent")) return nullptr;
  NiceAgent* agent = nullptr;
  g_object_get(ice.get(), "agent", &agent, nullptr);
  return agent;
}

Status RestrictIce(GstElement* webrtc, const std::vector<std::string>& addresses) {
  NiceAgent* agent = GetNiceAgent(webrtc);
  if (!agent) {
    if (addresses.empty()) return Ok{};
    return Error{"ice", "webrtcbin's ICE agent is not libnice; cannot restrict ICE addresses"};
  }
  // libnice here is built with UPnP IGD: it would multicast SSDP discovery on
  // the LAN and hold back gathering until its timeout.
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp")) {
    g_object_set(agent, "upnp", FALSE, nullptr);
  }
  Status status = Ok{};
  for (const std::string& address : addresses) {
    NiceAddress nice_address;
    nice_address_init(&nice_address);
    if (!nice_address_set_from_string(&nice_address, address.c_str())) {
      status = Error{"ice", "not an IP address: " + address};
      break;
    }
    nice_agent_add_local_address(agent, &nice_address);
  }
  g_object_unref(agent);
  return status;
}

GstElement* FindChildByFactory(GstElement* bin, const char* factory) {
  GstIterator* it = gst_bin_iterate_elements(GST_BIN(bin));
  GValue item = G_VALUE_INIT;
  GstElement* found = nullptr;
  while (!found && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* e = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* f = gst_element_get_factory(e);
    if (f && g_str_equal(GST_OBJECT_NAME(f), factory)) found = GST_ELEMENT(gst_object_ref(e));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

media::GstElementPtr MakeFakesink(const char* name) {
  media::GstElementPtr sink = media::MakeElement("fakesink", name);
  if (sink) {
    g_object_set(sink.get(), "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  }
  return sink;
}

// Without a display, autovideosink is not even tried: probing its candidates
// there crashed (dfbvideosink's DirectFB thread segfaults).
media::GstElementPtr MakeOutputSink(const char* factory, const char* name,
                                    const std::string& log_name) {
  bool video = g_str_equal(factory, "autovideosink");
  bool has_display = g_getenv("DISPLAY") || g_getenv("WAYLAND_DISPLAY");
  media::GstElementPtr sink;
  if (!video || has_display) sink = media::MakeElement(factory, name);
  if (sink && gst_element_set_state(sink.get(), GST_STATE_READY) != GST_STATE_CHANGE_FAILURE) {
    return sink;
  }
  if (sink) gst_element_set_state(sink.get(), GST_STATE_NULL);
  spdlog::warn("{}: {} is unusable here, using fakesink", log_name, factory);
  return MakeFakesink(name);
}

std::string DescribeBusMessage(GstMessage* message) {
  GError* error = nullptr;
  gchar* debug = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(message, &error, &debug);
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
    gst_message_parse_warning(message, &error, &debug);
  }
  media::GErrorPtr owned_error(error);
  media::GCharPtr owned_debug(debug);
  media::GCharPtr path(gst_object_get_path_string(GST_MESSAGE_SRC(message)));
  return media::ToString(path) + ": " + (error ? error->message : "unknown");
}

}  // namespace bridgecast::client
