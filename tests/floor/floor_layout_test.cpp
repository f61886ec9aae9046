#include "floor/floor_layout.hpp"

#include <catch2/catch.hpp>

namespace bridgecast::floor {
namespace {

bool Inside(const media::Rect& r, int width, int height) {
  return r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= width &&
         r.y + r.height <= height;
}

bool Overlap(const media::Rect& a, const media::Rect& b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height &&
         b.y < a.y + a.height;
}

}  // namespace

TEST_CASE("layouts parse by their config names and print back") {
  for (FloorLayout layout :
       {FloorLayout::kSpeakerPip, FloorLayout::kSideBySide, FloorLayout::kHallCaption}) {
    CHECK(ParseFloorLayout(ToString(layout)) == layout);
  }
  CHECK_FALSE(ParseFloorLayout("Speaker_PIP"));
  CHECK_FALSE(ParseFloorLayout(""));
}

TEST_CASE("speaker full frame, the hall small in the top corner, the caption kept") {
  const media::FloorView view = Arrange(FloorLayout::kSpeakerPip, 1280, 720, true, "Hà Nội");
  CHECK(view.speaker_visible);
  CHECK(view.caption == "Hà Nội");
  CHECK(view.speaker.width == 1280);
  CHECK(view.speaker.height == 720);
  CHECK(view.hall_above);
  CHECK(view.hall.width == 320);
  CHECK(view.hall.height == 180);
  CHECK(Inside(view.hall, 1280, 720));
  CHECK(view.hall.x + view.hall.width > 1280 * 3 / 4);  // right side
  CHECK(view.hall.y + view.hall.height < 720 / 2);       // top half, clear of the caption
}

TEST_CASE("side by side: the hall left, the speaker right, the same size, not overlapping") {
  const media::FloorView view = Arrange(FloorLayout::kSideBySide, 1280, 720, true, "Huế");
  CHECK(view.speaker_visible);
  CHECK_FALSE(view.hall_above);
  CHECK(view.hall.width == view.speaker.width);
  CHECK(view.hall.height == view.speaker.height);
  CHECK(view.hall.x < view.speaker.x);
  CHECK_FALSE(Overlap(view.hall, view.speaker));
  CHECK(Inside(view.hall, 1280, 720));
  CHECK(Inside(view.speaker, 1280, 720));
}

TEST_CASE("sizes stay even for odd programs") {
  const media::FloorView view = Arrange(FloorLayout::kSpeakerPip, 642, 362, true, "x");
  for (int v : {view.hall.x, view.hall.y, view.hall.width, view.hall.height}) CHECK(v % 2 == 0);
}

TEST_CASE("without a picture, or in hall_caption, the speaker is only named over the whole hall") {
  for (const media::FloorView& view :
       {Arrange(FloorLayout::kSpeakerPip, 1280, 720, false, "Cần Thơ"),
        Arrange(FloorLayout::kHallCaption, 1280, 720, true, "Cần Thơ")}) {
    CHECK_FALSE(view.speaker_visible);
    CHECK(view.caption == "Cần Thơ");
    CHECK(view.hall.width == 1280);
    CHECK(view.hall.height == 720);
  }
}

}  // namespace bridgecast::floor
