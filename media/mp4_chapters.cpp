#include "media/mp4_chapters.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>

namespace bridgecast::media {
namespace {

constexpr size_t kHeader = 8;
constexpr size_t kMaxChapters = 255;
constexpr std::uintmax_t kMaxMoov = 64 * 1024 * 1024;

Error Bad(std::string message) { return Error{"bad_mp4", std::move(message)}; }

std::uint64_t ReadBE(std::string_view bytes, size_t at, size_t width) {
  std::uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

void AppendBE(std::string& out, std::uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

struct Box {
  std::string_view type;
  size_t offset;       // of the header
  size_t header_size;  // 8, or 16 with a 64-bit size
  size_t size;         // whole box
};

// The child boxes of `content`; nothing if a size does not fit.
std::optional<std::vector<Box>> Children(std::string_view content) {
  std::vector<Box> out;
  size_t at = 0;
  while (at < content.size()) {
    if (content.size() - at < kHeader) return std::nullopt;
    std::uint64_t size = ReadBE(content, at, 4);
    size_t header = kHeader;
    if (size == 1) {
      if (content.size() - at < 16) return std::nullopt;
      size = ReadBE(content, at + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = content.size() - at;
    }
    if (size < header || size > content.size() - at) return std::nullopt;
    out.push_back({content.substr(at + 4, 4), at, header, static_cast<size_t>(size)});
    at += static_cast<size_t>(size);
  }
  return out;
}

std::string MakeBox(std::string_view type, std::string_view content) {
  std::string out;
  AppendBE(out, kHeader + content.size(), 4);
  out.append(type);
  out.append(content);
  return out;
}

}  // namespace

std::string ChapterTitle(std::string_view text) {
  if (text.size() <= kMaxChapterTitleBytes) return std::string(text);
  constexpr std::string_view kEllipsis = "\u2026";
  size_t end = kMaxChapterTitleBytes - kEllipsis.size();
  // Never split a character: back up to the start of the one at `end`.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

namespace {

std::string Chpl(const std::vector<Mp4Chapter>& chapters) {
  std::string content;
  AppendBE(content, 0x01000000, 4);  // version 1, no flags
  AppendBE(content, 0, 4);           // reserved
  const size_t count = std::min(chapters.size(), kMaxChapters);
  content.push_back(static_cast<char>(count));
  for (size_t i = 0; i < count; ++i) {
    // 100 ns units.
    AppendBE(content, static_cast<std::uint64_t>(chapters[i].start.count()) * 10000, 8);
    const std::string title = ChapterTitle(chapters[i].title);
    content.push_back(static_cast<char>(title.size()));
    content.append(title);
  }
  return MakeBox("chpl", content);
}

// moov's content (after its header) with `udta` holding only `keep` plus `chpl`.
Result<std::string> Rebuild(std::string_view moov, const std::string* chpl) {
  auto top = Children(moov);
  if (!top || top->size() != 1 || (*top)[0].type != "moov" || (*top)[0].size != moov.size()) {
    return Bad("not one moov box");
  }
  const std::string_view content = moov.substr((*top)[0].header_size);
  auto children = Children(content);
  if (!children) return Bad("moov's children do not fit");
  std::string out_content;
  bool had_udta = false;
  for (const Box& child : *children) {
    const std::string_view whole = content.substr(child.offset, child.size);
    if (child.type != "udta") {
      out_content.append(whole);
      continue;
    }
    had_udta = true;
    const std::string_view udta_content = whole.substr(child.header_size);
    auto inner = Children(udta_content);
    if (!inner) return Bad("udta's children do not fit");
    std::string new_udta;
    for (const Box& box : *inner) {
      if (box.type != "chpl") new_udta.append(udta_content.substr(box.offset, box.size));
    }
    if (chpl) new_udta.append(*chpl);
    out_content.append(MakeBox("udta", new_udta));
  }
  if (!had_udta && chpl) out_content.append(MakeBox("udta", *chpl));
  return MakeBox("moov", out_content);
}

struct TopLevelMoov {
  std::uintmax_t offset = 0;
  std::string bytes;
};

// The last top-level box, which must be moov.
Result<TopLevelMoov> ReadMoov(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return Bad(path + ": " + ec.message());
  std::ifstream in(path, std::ios::binary);
  std::uintmax_t at = 0;
  while (at < file_size) {
    char header[16];
    if (file_size - at < kHeader || !in.seekg(static_cast<std::streamoff>(at)) ||
        !in.read(header, kHeader)) {
      return Bad(path + ": truncated box header");
    }
    std::uint64_t size = ReadBE(std::string_view(header, kHeader), 0, 4);
    const std::string type(header + 4, 4);
    if (size == 1) {
      if (!in.read(header + 8, 8)) return Bad(path + ": truncated box header");
      size = ReadBE(std::string_view(header, 16), 8, 8);
    } else if (size == 0) {
      size = file_size - at;
    }
    if (size < kHeader || size > file_size - at) return Bad(path + ": box " + type + " overflows");
    if (at + size == file_size) {
      if (type != "moov") return Bad(path + ": moov is not the last box (faststart?)");
      if (size > kMaxMoov) return Bad(path + ": moov is too large");
      TopLevelMoov moov{at, std::string(static_cast<size_t>(size), '\0')};
      in.seekg(static_cast<std::streamoff>(at));
      if (!in.read(moov.bytes.data(), static_cast<std::streamsize>(size))) {
        return Bad(path + ": cannot read moov");
      }
      return moov;
    }
    at += size;
  }
  return Bad(path + ": no boxes");
}

}  // namespace

Result<std::string> MoovWithChapters(std::string_view moov,
                                     const std::vector<Mp4Chapter>& chapters) {
  const std::string chpl = Chpl(chapters);
  return Rebuild(moov, &chpl);
}

Result<std::vector<Mp4Chapter>> ChaptersInMoov(std::string_view moov) {
  auto top = Children(moov);
  if (!top || top->size() != 1 || (*top)[0].type != "moov") return Bad("not one moov box");
  const std::string_view content = moov.substr((*top)[0].header_size);
  auto children = Children(content);
  if (!children) return Bad("moov's children do not fit");
  std::vector<Mp4Chapter> out;
  for (const Box& udta : *children) {
    if (udta.type != "udta") continue;
    const std::string_view udta_content =
        content.substr(udta.offset + udta.header_size, udta.size - udta.header_size);
    auto inner = Children(udta_content);
    if (!inner) return Bad("udta's children do not fit");
    for (const Box& box : *inner) {
      if (box.type != "chpl") continue;
      const std::string_view c =
          udta_content.substr(box.offset + box.header_size, box.size - box.header_size);
      if (c.size() < 9) return Bad("chpl is truncated");
      const size_t count = static_cast<unsigned char>(c[8]);
      size_t at = 9;
      for (size_t i = 0; i < count; ++i) {
        if (c.size() - at < 9) return Bad("chpl is truncated");
        const std::uint64_t start = ReadBE(c, at, 8);
        const size_t length = static_cast<unsigned char>(c[at + 8]);
        at += 9;
        if (c.size() - at < length) return Bad("chpl is truncated");
        out.push_back({std::chrono::milliseconds(start / 10000), std::string(c.substr(at, length))});
        at += length;
      }
    }
  }
  return out;
}

Status WriteMp4Chapters(const std::string& path, const std::vector<Mp4Chapter>& chapters) {
  auto moov = ReadMoov(path);
  if (!moov) return moov.error();
  auto rebuilt = MoovWithChapters(moov->bytes, chapters);
  if (!rebuilt) return rebuilt.error();
  std::error_code ec;
  std::filesystem::resize_file(path, moov->offset, ec);
  if (ec) return Bad(path + ": " + ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out.write(rebuilt->data(), static_cast<std::streamsize>(rebuilt->size())) || !out.flush()) {
    return Bad(path + ": cannot write moov");
  }
  return Ok{};
}

Result<std::vector<Mp4Chapter>> ReadMp4Chapters(const std::string& path) {
  auto moov = ReadMoov(path);
  if (!moov) return moov.error();
  return ChaptersInMoov(moov->bytes);
}

}  // namespace bridgecast::media
