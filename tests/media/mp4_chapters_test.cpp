#include "media/mp4_chapters.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace bridgecast::media {
namespace {

using std::chrono::milliseconds;

std::string Box(std::string_view type, std::string_view content) {
  std::string out;
  const uint32_t size = static_cast<uint32_t>(8 + content.size());
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(type);
  out.append(content);
  return out;
}

const std::vector<Mp4Chapter> kChapters = {
    {milliseconds(0), "Khai mạc"},
    {milliseconds(5250), "Quán triệt Nghị quyết"},
    {milliseconds(3600000), std::string(300, 'x')},
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a long chapter title is cut on a character boundary and marked as cut") {
  CHECK(ChapterTitle("Khai mạc") == "Khai mạc");
  CHECK(ChapterTitle(std::string(255, 'x')) == std::string(255, 'x'));
  // "ạ" is 3 bytes: 84 of them are 252 bytes, 85 would pass the limit.
  std::string vietnamese;
  for (int i = 0; i < 100; ++i) vietnamese += "ạ";
  const std::string cut = ChapterTitle(vietnamese);
  CHECK(cut.size() <= kMaxChapterTitleBytes);
  std::string expected;
  for (int i = 0; i < 84; ++i) expected += "ạ";
  CHECK(cut == expected + "…");
}

TEST_CASE("chapters go into moov/udta as a chpl box and read back") {
  const std::string mvhd = Box("mvhd", std::string(100, '\1'));
  const std::string trak = Box("trak", Box("tkhd", std::string(84, '\2')));

  SECTION("a moov without udta gets one") {
    auto moov = MoovWithChapters(Box("moov", mvhd + trak), kChapters);
    REQUIRE(moov.ok());
    CHECK(moov->substr(8, mvhd.size() + trak.size()) == mvhd + trak);  // untouched, in order
    auto back = ChaptersInMoov(*moov);
    REQUIRE(back.ok());
    REQUIRE(back->size() == 3);
    CHECK((*back)[0] == kChapters[0]);
    CHECK((*back)[1] == kChapters[1]);
    CHECK((*back)[2].start == milliseconds(3600000));
    CHECK((*back)[2].title == std::string(252, 'x') + "…");
  }
  SECTION("an existing udta keeps its other boxes; an old chpl is replaced") {
    const std::string meta = Box("meta", std::string(20, '\3'));
    auto first = MoovWithChapters(Box("moov", mvhd + Box("udta", meta) + trak), kChapters);
    REQUIRE(first.ok());
    auto second = MoovWithChapters(*first, {{milliseconds(1000), "Bế mạc"}});
    REQUIRE(second.ok());
    CHECK(second->find(meta) != std::string::npos);
    auto back = ChaptersInMoov(*second);
    REQUIRE(back.ok());
    REQUIRE(back->size() == 1);
    CHECK((*back)[0].title == "Bế mạc");
    CHECK((*back)[0].start == milliseconds(1000));
  }
  SECTION("a title is cut on a character boundary and marked as cut") {
    std::string title(251, 'a');
    title += "ạạ";  // three bytes each: would end at 257
    auto moov = MoovWithChapters(Box("moov", mvhd), {{milliseconds(0), title}});
    REQUIRE(moov.ok());
    CHECK(ChaptersInMoov(*moov)->at(0).title == std::string(251, 'a') + "…");
  }
  SECTION("broken boxes are refused") {
    CHECK(MoovWithChapters("", kChapters).error().code == "bad_mp4");
    CHECK_FALSE(MoovWithChapters(Box("trak", mvhd), kChapters).ok());
    std::string lying = Box("moov", mvhd);
    lying[3] = static_cast<char>(lying[3] + 1);  // one byte longer than it is
    CHECK_FALSE(MoovWithChapters(lying, kChapters).ok());
    std::string inner = Box("moov", mvhd);
    inner[11] = 0x7f;  // mvhd claims far more than moov holds
    CHECK_FALSE(MoovWithChapters(inner, kChapters).ok());
  }
}

TEST_CASE("chapters are written into a file whose moov is last, media untouched") {
  char pattern[] = "/tmp/bridgecast-chpl-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string path = dir + "/a.mp4";
  const std::string head = Box("ftyp", "isom\0\0\0\0isom") + Box("mdat", std::string(5000, '\7'));
  {
    std::ofstream out(path, std::ios::binary);
    out << head << Box("moov", Box("mvhd", std::string(100, '\1')));
  }
  REQUIRE(WriteMp4Chapters(path, kChapters));
  const std::string after = ReadAll(path);
  CHECK(after.substr(0, head.size()) == head);
  auto back = ReadMp4Chapters(path);
  REQUIRE(back.ok());
  CHECK(back->size() == 3);

  // faststart: moov before mdat would shift the media; refused.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << Box("moov", Box("mvhd", std::string(100, '\1'))) << head;
  }
  CHECK(WriteMp4Chapters(path, kChapters).error().code == "bad_mp4");
  std::filesystem::remove_all(dir);
}

}  // namespace bridgecast::media
