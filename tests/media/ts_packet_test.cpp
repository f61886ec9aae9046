#include "media/ts_packet.hpp"

#include <catch2/catch.hpp>

#include "ts_test_packets.hpp"

namespace bridgecast::media {
namespace {

using namespace ts_test;

std::size_t Prefix(const Bytes& bytes) { return CompleteTsPrefix({bytes.data(), bytes.size()}); }

}  // namespace

TEST_CASE("a packet's PID, unit start, random access and PES timestamp are read") {
  const Bytes key = Video(123456789, true, 7);
  const TsPacket p = ParseTsPacket({key.data(), key.size()});
  CHECK(p.pid == kVideoPid);
  CHECK(p.unit_start);
  CHECK(p.random_access);
  CHECK(PesPts(p.payload) == 123456789u);
  const Bytes rest = Continuation(kAudioPid, 1);
  const TsPacket q = ParseTsPacket({rest.data(), rest.size()});
  CHECK(q.pid == kAudioPid);
  CHECK_FALSE(q.unit_start);
  CHECK_FALSE(q.random_access);
  CHECK_FALSE(PesPts(q.payload));
}

TEST_CASE("a segment cut by a crash keeps only finished frames") {
  // Video frames 1 and 2 are finished (each is followed by the next start);
  // nothing shows whether frame 3 is. Audio PES carry their length.
  const Bytes head = Join({Pat(), Pmt(), Video(0, true, 1), Continuation(kVideoPid, 2),
                           Audio(100, 3), Video(kFrame, false, 4), Continuation(kVideoPid, 5)});
  const Bytes audio_b = Audio(2000, 6);
  const Bytes frame3 = Join({Video(2 * kFrame, false, 7), Continuation(kVideoPid, 8)});
  SECTION("the last video frame goes, with what came after it") {
    const Bytes file = Join({head, frame3, audio_b});
    CHECK(Prefix(file) == head.size());
  }
  SECTION("an unfinished audio frame goes, with what came after it") {
    const Bytes file = Join({head, AudioOfTwo(2000, 6), frame3});
    CHECK(Prefix(file) == head.size());
  }
  SECTION("a finished audio frame before the last video frame stays") {
    const Bytes file = Join({head, audio_b, frame3});
    CHECK(Prefix(file) == head.size() + 188);
  }
  SECTION("a torn packet at the end is never kept") {
    Bytes file = Join({head, frame3});
    file.resize(file.size() - 100);
    CHECK(Prefix(file) == head.size());
  }
  SECTION("a lost sync byte ends the usable part") {
    Bytes file = Join({head, frame3});
    file[head.size() - 188] = 0;
    CHECK(Prefix(file) <= head.size() - 188);
  }
  SECTION("PSI alone is kept: nothing to finish") {
    const Bytes file = Join({Pat(), Pmt()});
    CHECK(Prefix(file) == file.size());
  }
}

}  // namespace bridgecast::media
