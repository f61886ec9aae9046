#include "signaling/hls_playlist.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::signaling {

using std::chrono::milliseconds;

TEST_CASE("an archived session is an HLS VOD playlist, runs split by discontinuities") {
  const std::vector<HlsSegment> segments = {
      {"run0001-seg00000.ts?token=t", milliseconds(4000), 1},
      {"run0001-seg00001.ts?token=t", milliseconds(2533), 1},
      {"run0002-seg00000.ts?token=t", milliseconds(4067), 2},
      {"run0002-seg00001.ts?token=t", milliseconds(0), 2},  // nothing playable: left out
  };
  CHECK(HlsPlaylist(segments, false) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:3\n"
        "#EXT-X-TARGETDURATION:5\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXTINF:4.000,\nrun0001-seg00000.ts?token=t\n"
        "#EXTINF:2.533,\nrun0001-seg00001.ts?token=t\n"
        "#EXT-X-DISCONTINUITY\n"
        "#EXTINF:4.067,\nrun0002-seg00000.ts?token=t\n"
        "#EXT-X-ENDLIST\n");
}

TEST_CASE("while recording the playlist is an EVENT without an end") {
  const std::string text = HlsPlaylist({{"a.ts", milliseconds(4000), 1}}, true);
  CHECK(text.find("#EXT-X-PLAYLIST-TYPE:EVENT\n") != std::string::npos);
  CHECK(text.find("#EXT-X-ENDLIST") == std::string::npos);
  CHECK(text.find("#EXT-X-TARGETDURATION:4\n") != std::string::npos);
  CHECK(HlsPlaylist({}, false).find("#EXT-X-TARGETDURATION:1\n") != std::string::npos);
}

}  // namespace bridgecast::signaling
