#include "media/ts_packet.hpp"

#include <algorithm>
#include <map>

namespace bridgecast::media {

TsPacket ParseTsPacket(std::span<const std::uint8_t> p) {
  TsPacket out;
  out.pid = static_cast<std::uint16_t>(((p[1] & 0x1F) << 8) | p[2]);
  out.unit_start = (p[1] & 0x40) != 0;
  const std::uint8_t control = (p[3] >> 4) & 0x3;
  std::size_t offset = 4;
  if (control & 0x2) {
    const std::size_t length = p[4];
    if (length > 0) out.random_access = (p[5] & 0x40) != 0;
    offset = 5 + length;
  }
  if ((control & 0x1) && offset < p.size()) out.payload = p.subspan(offset);
  return out;
}

std::optional<std::uint64_t> PesPts(std::span<const std::uint8_t> pes) {
  if (pes.size() < 14 || pes[0] != 0 || pes[1] != 0 || pes[2] != 1) return std::nullopt;
  if ((pes[7] & 0x80) == 0) return std::nullopt;
  const std::uint8_t* t = pes.data() + 9;
  return (static_cast<std::uint64_t>((t[0] >> 1) & 0x07) << 30) |
         (static_cast<std::uint64_t>(t[1]) << 22) | (static_cast<std::uint64_t>(t[2] >> 1) << 15) |
         (static_cast<std::uint64_t>(t[3]) << 7) | (t[4] >> 1);
}

std::size_t CompleteTsPrefix(std::span<const std::uint8_t> bytes) {
  // Per stream, its newest PES: where it starts, how long it says it is
  // (0: unbounded, as for video) and how much of it arrived.
  struct Pes {
    std::size_t start = 0;
    std::size_t length = 0;
    std::size_t received = 0;
    bool Finished() const { return length != 0 && received >= length; }
  };
  std::map<std::uint16_t, Pes> newest;
  std::size_t end = 0;
  for (; end + kTsPacketSize <= bytes.size(); end += kTsPacketSize) {
    const auto packet = bytes.subspan(end, kTsPacketSize);
    if (packet[0] != kTsSyncByte) break;
    const TsPacket p = ParseTsPacket(packet);
    const auto& payload = p.payload;
    if (p.unit_start && payload.size() >= 6 && payload[0] == 0 && payload[1] == 0 &&
        payload[2] == 1) {
      const std::size_t length = (payload[4] << 8) | payload[5];
      newest[p.pid] = Pes{end, length == 0 ? 0 : 6 + length, payload.size()};
    } else if (auto it = newest.find(p.pid); it != newest.end()) {
      it->second.received += payload.size();
    }
  }
  for (const auto& [pid, pes] : newest) {
    if (!pes.Finished()) end = std::min(end, pes.start);
  }
  return end;
}

}  // namespace bridgecast::media
