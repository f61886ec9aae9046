#include "signaling/hls_playlist.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bridgecast::signaling {

std::string HlsPlaylist(const std::vector<HlsSegment>& segments, bool still_recording) {
  std::chrono::milliseconds longest{1000};
  for (const HlsSegment& s : segments) longest = std::max(longest, s.duration);
  // EXT-X-TARGETDURATION: an integer no EXTINF may exceed once rounded.
  const auto target = (longest.count() + 999) / 1000;
  std::string out = fmt::format(
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n"
      "#EXT-X-PLAYLIST-TYPE:{}\n",
      target, still_recording ? "EVENT" : "VOD");
  bool first = true;
  unsigned run = 0;
  for (const HlsSegment& s : segments) {
    if (s.duration <= std::chrono::milliseconds(0)) continue;
    if (!first && s.run != run) out += "#EXT-X-DISCONTINUITY\n";
    first = false;
    run = s.run;
    out += fmt::format("#EXTINF:{}.{:03},\n{}\n", s.duration.count() / 1000,
                       s.duration.count() % 1000, s.uri);
  }
  if (!still_recording) out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace bridgecast::signaling
