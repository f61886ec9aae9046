#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bridgecast::media {

// An archive segment file: "run0002-seg00017.ts" is segment 17 of run 2.
struct SegmentName {
  unsigned run = 0;
  unsigned seq = 0;

  std::string ToString() const;
  // Exactly the form ToString writes, or nothing: also the check that a
  // requested name can be no path but one of ours.
  static std::optional<SegmentName> Parse(std::string_view name);
};

}  // namespace bridgecast::media
