#pragma once

#include <gst/gst.h>

#include <chrono>

namespace bridgecast::media {

using WallTime = std::chrono::sys_time<std::chrono::milliseconds>;

// The wall-clock time at which `element`'s clock showed `running_time`: the
// running time's distance from now on that clock, taken off the system clock
// now. Now itself when the element has no clock or the time is invalid.
WallTime WallTimeAt(GstElement* element, GstClockTime running_time);

// The running time of `buffer` arriving on `pad` (from the pad's segment);
// GST_CLOCK_TIME_NONE if unknown.
GstClockTime RunningTimeOn(GstPad* pad, GstBuffer* buffer);

}  // namespace bridgecast::media
