#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::media {

struct Mp4Chapter {
  std::chrono::milliseconds start{0};
  std::string title;  // UTF-8; written as ChapterTitle(title)

  bool operator==(const Mp4Chapter&) const = default;
};

// The chpl box gives a title one length byte: a longer title is cut to at most
// this many bytes on a character boundary, ending in "…" so it shows as cut.
inline constexpr size_t kMaxChapterTitleBytes = 255;
std::string ChapterTitle(std::string_view text);

// Chapter marks in an MP4 as a Nero 'chpl' box in moov/udta (what ffmpeg,
// mp4v2 and most players read; mp4mux writes no chapters of its own).
// The box is the moov atom: `moov` is the whole box, header included. An
// existing chpl is replaced. Errors: bad_mp4.
Result<std::string> MoovWithChapters(std::string_view moov, const std::vector<Mp4Chapter>& chapters);
Result<std::vector<Mp4Chapter>> ChaptersInMoov(std::string_view moov);

// The same on a file whose moov is its last top-level box (mp4mux without
// faststart): the moov is rewritten in place, no media offset moves.
Status WriteMp4Chapters(const std::string& path, const std::vector<Mp4Chapter>& chapters);
Result<std::vector<Mp4Chapter>> ReadMp4Chapters(const std::string& path);

}  // namespace bridgecast::media
