#include "media/capture_stamp.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace bridgecast::media {
namespace {

constexpr int kMinBlock = 4;
constexpr int kValueBytes = kCaptureStampValueBits / 8;
// Symbols at these positions are guards with a fixed colour.
constexpr std::array<std::pair<int, bool>, 4> kGuards = {
    {{0, true}, {1, false}, {kCaptureStampBlocks - 2, false}, {kCaptureStampBlocks - 1, true}}};

uint8_t Crc8(uint64_t value) {
  uint8_t crc = 0;
  for (int byte = kValueBytes - 1; byte >= 0; --byte) {
    crc ^= static_cast<uint8_t>(value >> (8 * byte));
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    }
  }
  return crc;
}

// The stamp as symbols, true for white.
std::array<bool, kCaptureStampBlocks> Symbols(uint64_t value) {
  std::array<bool, kCaptureStampBlocks> s{};
  for (auto [index, white] : kGuards) s[index] = white;
  for (int i = 0; i < kCaptureStampValueBits; ++i) {
    s[2 + i] = (value >> (kCaptureStampValueBits - 1 - i)) & 1;
  }
  const uint8_t crc = Crc8(value);
  for (int i = 0; i < 8; ++i) s[2 + kCaptureStampValueBits + i] = (crc >> (7 - i)) & 1;
  return s;
}

// Mean luma of the central half of block `index`: away from the block edges,
// where the encoder's ringing and the block transforms blur most.
double BlockCentreMean(const LumaPlane& p, int block, int index) {
  const int x0 = index * block + block / 4;
  const int y0 = block / 4;
  const int side = std::max(1, block / 2);
  uint32_t sum = 0;
  for (int y = y0; y < y0 + side; ++y) {
    const uint8_t* row = p.data + static_cast<ptrdiff_t>(y) * p.stride;
    for (int x = x0; x < x0 + side; ++x) sum += row[x];
  }
  return static_cast<double>(sum) / (side * side);
}

}  // namespace

int CaptureStampBlockSize(int width) {
  const int block = width / kCaptureStampBlocks;
  return block >= kMinBlock ? block : 0;
}

Status WriteCaptureStamp(const LumaPlane& plane, std::chrono::milliseconds since_epoch) {
  const int block = CaptureStampBlockSize(plane.width);
  if (block == 0 || plane.height < block) {
    return Error{"stamp_too_small", "the picture is too small for a capture stamp"};
  }
  const int64_t ms = since_epoch.count();
  if (ms < 0 || ms >= (int64_t{1} << kCaptureStampValueBits)) {
    return Error{"stamp_out_of_range", "the capture time does not fit in 48 bits"};
  }
  const auto symbols = Symbols(static_cast<uint64_t>(ms));
  for (int y = 0; y < block; ++y) {
    uint8_t* row = plane.data + static_cast<ptrdiff_t>(y) * plane.stride;
    for (int i = 0; i < kCaptureStampBlocks; ++i) {
      std::fill_n(row + i * block, block, symbols[i] ? kCaptureStampWhite : kCaptureStampBlack);
    }
  }
  return Ok{};
}

Result<std::chrono::milliseconds> ReadCaptureStamp(const LumaPlane& plane) {
  const int block = CaptureStampBlockSize(plane.width);
  if (block == 0 || plane.height < block) {
    return Error{"stamp_too_small", "the picture is too small for a capture stamp"};
  }
  std::array<double, kCaptureStampBlocks> mean{};
  for (int i = 0; i < kCaptureStampBlocks; ++i) mean[i] = BlockCentreMean(plane, block, i);
  const double white = (mean[0] + mean[kCaptureStampBlocks - 1]) / 2;
  const double black = (mean[1] + mean[kCaptureStampBlocks - 2]) / 2;
  // Guards at most a quarter of the full swing apart: no stamp here.
  if (white - black < (kCaptureStampWhite - kCaptureStampBlack) / 4.0) {
    return Error{"stamp_no_guards", "no capture stamp guards in the picture"};
  }
  const double threshold = (white + black) / 2;
  for (auto [index, is_white] : kGuards) {
    if ((mean[index] > threshold) != is_white) {
      return Error{"stamp_no_guards", "a capture stamp guard block is wrong"};
    }
  }
  uint64_t value = 0;
  for (int i = 0; i < kCaptureStampValueBits; ++i) {
    value = (value << 1) | (mean[2 + i] > threshold ? 1 : 0);
  }
  uint8_t crc = 0;
  for (int i = 0; i < 8; ++i) {
    crc = static_cast<uint8_t>((crc << 1) | (mean[2 + kCaptureStampValueBits + i] > threshold));
  }
  if (crc != Crc8(value)) return Error{"stamp_checksum", "capture stamp checksum mismatch"};
  return std::chrono::milliseconds(static_cast<int64_t>(value));
}

}  // namespace bridgecast::media
