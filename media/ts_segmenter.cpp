#include "media/ts_segmenter.hpp"

#include "media/ts_packet.hpp"

namespace bridgecast::media {
namespace {

constexpr std::uint16_t kPatPid = 0x0000;
constexpr std::uint8_t kStreamTypeH264 = 0x1B;
constexpr std::uint64_t kPtsModulo = 1ULL << 33;
constexpr std::uint64_t kTicksPerMs = 90;

// The section a PSI payload starts (after the pointer field), clipped to its
// section_length; empty when it does not fit in this packet.
std::span<const std::uint8_t> Section(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return {};
  const std::size_t start = 1 + payload[0];
  if (start + 3 > payload.size()) return {};
  const std::size_t length = ((payload[start + 1] & 0x0F) << 8) | payload[start + 2];
  if (start + 3 + length > payload.size()) return {};
  return payload.subspan(start, 3 + length);
}

}  // namespace

std::uint64_t PtsDistance(std::uint64_t from, std::uint64_t to) {
  return (to + kPtsModulo - from) % kPtsModulo;
}

std::chrono::milliseconds TsSegmenter::open_duration() const {
  if (!start_pts_ || !last_video_pts_) return std::chrono::milliseconds(0);
  const std::uint64_t ticks = PtsDistance(*start_pts_, *last_video_pts_) + frame_interval_;
  return std::chrono::milliseconds(ticks / kTicksPerMs);
}

void TsSegmenter::OnPsi(std::uint16_t pid, std::span<const std::uint8_t> packet,
                        std::span<const std::uint8_t> payload) {
  const auto section = Section(payload);
  if (pid == kPatPid) {
    // table_id 0, then (program_number, PID) pairs after 8 header bytes, CRC last.
    if (section.size() < 12 || section[0] != 0x00) return;
    for (std::size_t i = 8; i + 4 <= section.size() - 4; i += 4) {
      const std::uint16_t program = (section[i] << 8) | section[i + 1];
      if (program == 0) continue;  // the network PID
      pmt_pid_ = ((section[i + 2] & 0x1F) << 8) | section[i + 3];
      pat_.assign(packet.begin(), packet.end());
      return;
    }
    return;
  }
  // PMT: table_id 2; streams after the program info, CRC last.
  if (section.size() < 16 || section[0] != 0x02) return;
  const std::size_t info_length = ((section[10] & 0x0F) << 8) | section[11];
  std::size_t i = 12 + info_length;
  while (i + 5 <= section.size() - 4) {
    const std::uint16_t es_pid = ((section[i + 1] & 0x1F) << 8) | section[i + 2];
    if (section[i] == kStreamTypeH264) video_pid_ = es_pid;
    i += 5 + (((section[i + 3] & 0x0F) << 8) | section[i + 4]);
  }
  pmt_.assign(packet.begin(), packet.end());
}

Result<std::vector<TsAction>> TsSegmenter::Push(std::span<const std::uint8_t> data) {
  if (data.size() % kTsPacketSize != 0) {
    return Error{"bad_ts", "MPEG-TS data is not a whole number of 188-byte packets"};
  }
  std::vector<TsAction> actions;
  std::size_t run_start = 0;  // bytes of `data` not yet handed out begin here
  auto flush = [&](std::size_t end) {
    if (end > run_start && start_pts_) {
      actions.push_back(TsWrite{data.subspan(run_start, end - run_start)});
    }
    run_start = end;
  };
  for (std::size_t offset = 0; offset < data.size(); offset += kTsPacketSize) {
    const auto bytes = data.subspan(offset, kTsPacketSize);
    if (bytes[0] != kTsSyncByte) return Error{"bad_ts", "MPEG-TS sync byte lost"};
    const TsPacket packet = ParseTsPacket(bytes);
    if (packet.unit_start && (packet.pid == kPatPid || (pmt_pid_ && packet.pid == *pmt_pid_))) {
      OnPsi(packet.pid, bytes, packet.payload);
      continue;
    }
    if (!video_pid_ || packet.pid != *video_pid_ || !packet.unit_start) continue;
    const auto pts = PesPts(packet.payload);
    if (!pts) continue;
    if (last_video_pts_ && *pts != *last_video_pts_) {
      frame_interval_ = PtsDistance(*last_video_pts_, *pts);
    }
    const bool cut = packet.random_access && !pat_.empty() && !pmt_.empty() &&
                     (!start_pts_ || PtsDistance(*start_pts_, *pts) / kTicksPerMs >=
                                         static_cast<std::uint64_t>(target_.count()));
    if (cut) {
      flush(offset);
      TsCut head{*pts, pat_, std::nullopt};
      if (start_pts_) {
        head.ended = std::chrono::milliseconds(PtsDistance(*start_pts_, *pts) / kTicksPerMs);
      }
      start_pts_ = *pts;
      head.head.insert(head.head.end(), pmt_.begin(), pmt_.end());
      actions.push_back(std::move(head));
    }
    last_video_pts_ = *pts;
  }
  flush(data.size());
  return actions;
}

}  // namespace bridgecast::media
