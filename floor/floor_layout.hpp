#pragma once

#include <optional>
#include <string_view>

#include "media/program.hpp"

namespace bridgecast::floor {

// How the speaker's picture shares the program with the hall's.
enum class FloorLayout {
  kSpeakerPip,   // the speaker full frame, the hall small in a corner
  kSideBySide,   // the hall left, the speaker right, each half the width
  kHallCaption,  // the hall alone, the speaker heard and named
};

std::optional<FloorLayout> ParseFloorLayout(std::string_view text);
std::string_view ToString(FloorLayout layout);

// Where the pictures go in a `width`x`height` program. A speaker without a
// picture (no camera, or none yet) is only named, over the hall.
media::FloorView Arrange(FloorLayout layout, int width, int height, bool speaker_has_picture,
                         std::string caption);

}  // namespace bridgecast::floor
