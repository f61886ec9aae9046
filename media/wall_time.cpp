#include "media/wall_time.hpp"

#include <cstdint>

namespace bridgecast::media {

WallTime WallTimeAt(GstElement* element, GstClockTime running_time) {
  const auto wall_now = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  GstClock* clock = element ? gst_element_get_clock(element) : nullptr;
  if (!clock || !GST_CLOCK_TIME_IS_VALID(running_time)) {
    if (clock) gst_object_unref(clock);
    return wall_now;
  }
  const GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(element);
  gst_object_unref(clock);
  const auto behind = std::chrono::nanoseconds(static_cast<std::int64_t>(now) -
                                               static_cast<std::int64_t>(running_time));
  return wall_now - std::chrono::duration_cast<std::chrono::milliseconds>(behind);
}

GstClockTime RunningTimeOn(GstPad* pad, GstBuffer* buffer) {
  GstEvent* segment_event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (!segment_event) return GST_CLOCK_TIME_NONE;
  const GstSegment* segment = nullptr;
  gst_event_parse_segment(segment_event, &segment);
  const GstClockTime running =
      gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  gst_event_unref(segment_event);
  return running;
}

}  // namespace bridgecast::media
