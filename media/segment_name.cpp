#include "media/segment_name.hpp"

#include <cstdio>

namespace bridgecast::media {
namespace {

constexpr std::string_view kRun = "run";
constexpr std::string_view kSeg = "-seg";
constexpr std::string_view kExt = ".ts";
constexpr size_t kRunDigits = 4;
constexpr size_t kSeqDigits = 5;

std::optional<unsigned> Digits(std::string_view text) {
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

}  // namespace

std::string SegmentName::ToString() const {
  char text[32];
  std::snprintf(text, sizeof text, "run%04u-seg%05u.ts", run % 10000, seq % 100000);
  return text;
}

std::optional<SegmentName> SegmentName::Parse(std::string_view name) {
  constexpr size_t kLength = kRun.size() + kRunDigits + kSeg.size() + kSeqDigits + kExt.size();
  if (name.size() != kLength || !name.starts_with(kRun) || !name.ends_with(kExt) ||
      name.substr(kRun.size() + kRunDigits, kSeg.size()) != kSeg) {
    return std::nullopt;
  }
  auto run = Digits(name.substr(kRun.size(), kRunDigits));
  auto seq = Digits(name.substr(kRun.size() + kRunDigits + kSeg.size(), kSeqDigits));
  if (!run || !seq) return std::nullopt;
  return SegmentName{*run, *seq};
}

}  // namespace bridgecast::media
