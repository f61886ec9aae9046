#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::media {

// A new segment starts here: `head` (the newest PAT and PMT packets) is its
// first bytes; `pts` is its keyframe's PTS (90 kHz, 33 bits). `ended` is the
// media time of the segment this cut closes, if one was open.
struct TsCut {
  std::uint64_t pts = 0;
  std::vector<std::uint8_t> head;
  std::optional<std::chrono::milliseconds> ended;
};
// Bytes for the segment that is open.
struct TsWrite {
  std::span<const std::uint8_t> bytes;
};
using TsAction = std::variant<TsCut, TsWrite>;

// Cuts a live MPEG-TS stream (whole 188-byte packets, as mpegtsmux writes
// them) into segments that each begin with PAT, PMT and an H.264 keyframe,
// holding nothing back: every packet is handed out as it arrives, so a crash
// loses only what the muxer had not yet written. Sans-I/O: bytes in, actions
// out. A keyframe is a PES start on the H.264 stream (stream type 0x1B in the
// PMT) with the random-access indicator set. Everything before the first
// keyframe is dropped.
class TsSegmenter {
 public:
  // Cuts at the first keyframe once the open segment holds `target` of media.
  explicit TsSegmenter(std::chrono::milliseconds target) : target_(target) {}

  // A TsWrite points into `data`. Error bad_ts: not whole packets, or a lost sync byte.
  Result<std::vector<TsAction>> Push(std::span<const std::uint8_t> data);

  bool open() const { return start_pts_.has_value(); }
  // Media time of the open segment: from its keyframe to the end of the
  // newest video frame seen (last PTS plus one frame interval).
  std::chrono::milliseconds open_duration() const;

 private:
  void OnPsi(std::uint16_t pid, std::span<const std::uint8_t> packet,
             std::span<const std::uint8_t> payload);

  std::chrono::milliseconds target_;
  std::optional<std::uint16_t> pmt_pid_;
  std::optional<std::uint16_t> video_pid_;
  std::vector<std::uint8_t> pat_;  // the newest PAT and PMT packets
  std::vector<std::uint8_t> pmt_;
  std::optional<std::uint64_t> start_pts_;
  std::optional<std::uint64_t> last_video_pts_;
  std::uint64_t frame_interval_ = 0;  // 90 kHz ticks between the last two frames
};

// Ticks from `from` to `to` on the 33-bit PTS clock (wraps after ~26.5 h).
std::uint64_t PtsDistance(std::uint64_t from, std::uint64_t to);

}  // namespace bridgecast::media
