#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace bridgecast::media {

// Remuxes recorded MPEG-TS segments into one MP4 (H.264 and AAC as recorded,
// no re-encoding). `runs` in archive order, each run's segment paths in
// order: a run's segments are one continuous stream; the runs are joined end
// to end. The moov goes last (no faststart) so chapters can be added in place
// (WriteMp4Chapters). Blocks up to `timeout`; call gst_init first.
// Errors: export_failed.
Status ExportMp4(const std::vector<std::vector<std::string>>& runs, const std::string& out_path,
                 std::chrono::seconds timeout);

}  // namespace bridgecast::media
