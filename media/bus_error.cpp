#include "media/bus_error.hpp"

#include <fmt/format.h>

#include "media/gst_ptr.hpp"

namespace bridgecast::media {

std::string BusErrorText(GstMessage* message, std::string* debug) {
  GError* raw = nullptr;
  gchar* raw_debug = nullptr;
  gst_message_parse_error(message, &raw, &raw_debug);
  const GErrorPtr error(raw);
  const GCharPtr debug_text(raw_debug);
  if (debug) *debug = ToString(debug_text);
  return fmt::format("{}: {}", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
                     error ? error->message : "unknown error");
}

}  // namespace bridgecast::media
