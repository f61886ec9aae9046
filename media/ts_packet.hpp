#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

// MPEG-TS packets (ISO 13818-1 §2.4.3): just what the archive needs to cut and
// trim segments. Pure, no I/O.
namespace bridgecast::media {

inline constexpr std::size_t kTsPacketSize = 188;
inline constexpr std::uint8_t kTsSyncByte = 0x47;

struct TsPacket {
  std::uint16_t pid = 0;
  bool unit_start = false;     // a PES or section starts in this packet
  bool random_access = false;  // adaptation field's random_access_indicator
  std::span<const std::uint8_t> payload;
};

// `bytes` is one whole packet (the caller checks size and sync byte). An
// adaptation field that overruns the packet leaves no payload.
TsPacket ParseTsPacket(std::span<const std::uint8_t> bytes);

// The PTS (90 kHz, 33 bits) of a PES whose header starts `payload`.
std::optional<std::uint64_t> PesPts(std::span<const std::uint8_t> payload);

// How many bytes of a segment cut short (by a crash) hold only complete PES
// packets: the file is cut before the newest PES of each stream unless its
// PES_packet_length shows it arrived whole (video PES are unbounded, so the
// last picture always goes). Whole packets only; a lost sync byte ends the
// prefix there.
std::size_t CompleteTsPrefix(std::span<const std::uint8_t> bytes);

}  // namespace bridgecast::media
