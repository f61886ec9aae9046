#pragma once

#include <chrono>
#include <cstdint>

#include "base/result.hpp"

// The capture time of a frame, written into its picture as a row of black and
// white luma blocks along the top edge, so that a receiver can read it back
// after decoding and measure glass-to-glass latency against the same clock.
// Pure: works on an 8-bit luma plane, no GStreamer.
namespace bridgecast::media {

// Layout, left to right, one square block per symbol: white, black (start
// guard), 48 bits of the value MSB first, CRC-8 of the value's 6 bytes, then
// black, white (stop guard).
inline constexpr int kCaptureStampValueBits = 48;
inline constexpr int kCaptureStampBlocks = 2 + kCaptureStampValueBits + 8 + 2;
inline constexpr uint8_t kCaptureStampBlack = 16;  // video-range luma
inline constexpr uint8_t kCaptureStampWhite = 235;

struct LumaPlane {
  uint8_t* data;
  int width;
  int height;
  int stride;  // bytes from one row to the next
};

// Block edge in pixels for a picture `width` wide; 0 if too narrow to stamp
// readably (under 4 pixels per block).
int CaptureStampBlockSize(int width);

// Writes `since_epoch` (milliseconds, below 2^48) into the top rows. Errors:
// stamp_too_small, stamp_out_of_range.
Status WriteCaptureStamp(const LumaPlane& plane, std::chrono::milliseconds since_epoch);

// Reads a stamp back by sampling the centre of each block against a threshold
// half way between the guards. A picture without a stamp or with a misread
// block is refused (stamp_too_small, stamp_no_guards, stamp_checksum), never
// returned as a wrong value (short of a CRC-8 collision).
Result<std::chrono::milliseconds> ReadCaptureStamp(const LumaPlane& plane);

}  // namespace bridgecast::media
