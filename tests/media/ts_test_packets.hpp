#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

// Hand-made MPEG-TS packets for the segmenter and trim tests: PAT, a PMT
// naming H.264 video and AAC audio, and PES starts with a PTS. Byte 187 of
// each packet is a marker that tells them apart.
namespace bridgecast::media::ts_test {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t kPmtPid = 0x20;
constexpr std::uint16_t kVideoPid = 0x41;
constexpr std::uint16_t kAudioPid = 0x42;
constexpr std::uint64_t kFrame = 3000;  // 90 kHz ticks at 30 fps

inline Bytes Packet(std::uint16_t pid, bool unit_start, Bytes payload,
                    bool random_access = false, std::uint8_t marker = 0) {
  Bytes p = {0x47, static_cast<std::uint8_t>((unit_start ? 0x40 : 0) | (pid >> 8)),
             static_cast<std::uint8_t>(pid & 0xFF), 0x10};
  if (random_access) {
    p[3] = 0x30;
    p.push_back(1);     // adaptation_field_length
    p.push_back(0x40);  // random_access_indicator
  }
  p.insert(p.end(), payload.begin(), payload.end());
  p.resize(188, 0xFF);
  p[187] = marker;
  return p;
}

inline Bytes Pat() {
  return Packet(0, true, {0x00, 0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01,
                          0xE0, kPmtPid, 0, 0, 0, 0});
}

inline Bytes Pmt() {
  return Packet(kPmtPid, true,
                {0x00, 0x02, 0xB0, 0x17, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE0, kVideoPid, 0xF0, 0x00,
                 0x1B, 0xE0, kVideoPid, 0xF0, 0x00, 0x0F, 0xE0, kAudioPid, 0xF0, 0x00, 0, 0, 0, 0});
}

// `length` is PES_packet_length: 0 (unbounded) as for video.
inline Bytes Pes(std::uint8_t stream_id, std::uint64_t pts, std::uint16_t length = 0) {
  return {0x00,
          0x00,
          0x01,
          stream_id,
          static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length & 0xFF),
          0x80,
          0x80,
          0x05,
          static_cast<std::uint8_t>(0x21 | ((pts >> 29) & 0x0E)),
          static_cast<std::uint8_t>(pts >> 22),
          static_cast<std::uint8_t>(((pts >> 14) & 0xFE) | 1),
          static_cast<std::uint8_t>(pts >> 7),
          static_cast<std::uint8_t>(((pts << 1) & 0xFE) | 1)};
}

inline Bytes Video(std::uint64_t pts, bool key, std::uint8_t marker) {
  return Packet(kVideoPid, true, Pes(0xE0, pts), key, marker);
}

// An audio PES that fills its one packet: 184 payload bytes, 178 after the length field.
inline Bytes Audio(std::uint64_t pts, std::uint8_t marker) {
  return Packet(kAudioPid, true, Pes(0xC0, pts, 178), false, marker);
}

// The first of the two packets of a longer audio PES.
inline Bytes AudioOfTwo(std::uint64_t pts, std::uint8_t marker) {
  return Packet(kAudioPid, true, Pes(0xC0, pts, 178 + 184), false, marker);
}

// The rest of a PES: no unit start.
inline Bytes Continuation(std::uint16_t pid, std::uint8_t marker) {
  return Packet(pid, false, {}, false, marker);
}

inline Bytes Join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace bridgecast::media::ts_test
