#include "floor/floor_layout.hpp"

#include <utility>

namespace bridgecast::floor {
namespace {

// Compositor sizes in I420 must be even.
int Even(int v) { return v & ~1; }

}  // namespace

std::optional<FloorLayout> ParseFloorLayout(std::string_view text) {
  if (text == "speaker_pip") return FloorLayout::kSpeakerPip;
  if (text == "side_by_side") return FloorLayout::kSideBySide;
  if (text == "hall_caption") return FloorLayout::kHallCaption;
  return std::nullopt;
}

std::string_view ToString(FloorLayout layout) {
  switch (layout) {
    case FloorLayout::kSpeakerPip:
      return "speaker_pip";
    case FloorLayout::kSideBySide:
      return "side_by_side";
    case FloorLayout::kHallCaption:
      return "hall_caption";
  }
  return "speaker_pip";
}

media::FloorView Arrange(FloorLayout layout, int width, int height, bool speaker_has_picture,
                         std::string caption) {
  media::FloorView view;
  view.caption = std::move(caption);
  const media::Rect full{0, 0, width, height};
  view.hall = full;
  view.speaker = full;
  if (!speaker_has_picture || layout == FloorLayout::kHallCaption) return view;
  view.speaker_visible = true;
  if (layout == FloorLayout::kSpeakerPip) {
    // A quarter of the width, top right, clear of the caption at the bottom.
    const int w = Even(width / 4);
    const int h = Even(height / 4);
    const int margin = Even(width / 40);
    view.hall = {width - w - margin, margin, w, h};
    view.hall_above = true;
  } else {
    const int w = Even(width / 2);
    const int h = Even(height / 2);
    const int y = Even((height - h) / 2);
    view.hall = {0, y, w, h};
    view.speaker = {width - w, y, w, h};
  }
  return view;
}

}  // namespace bridgecast::floor
