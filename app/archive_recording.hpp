#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "agenda/conference_spec.hpp"
#include "agenda/store/archive_index.hpp"
#include "agenda/wall_clock.hpp"
#include "media/main_loop.hpp"
#include "media/program.hpp"
#include "media/recorder.hpp"

namespace bridgecast::app {

// The node's recording of its conference: starts and stops the Recorder as
// the conference's recording state says, one run per start, and keeps the
// archive index in step with the segments. Main loop only.
class ArchiveRecording final : public media::Recorder::Listener {
 public:
  // `on_failed` runs (main loop, after the branch is gone) when recording
  // fails; the node then records the stop in the journal.
  ArchiveRecording(media::Program& program, agenda::ArchiveIndex& index, std::string archive_root,
                   const agenda::ConferenceSpec& conference, const agenda::WallClock& wall_clock,
                   std::function<void(const std::string&)> on_failed);
  ~ArchiveRecording() override;

  // Starts a new run or stops the current one to match `recording`. After a
  // failure it starts again only once it has been told to stop. A run it
  // starts is labelled `rehearsal`: the conference's resets so far.
  void Follow(bool recording, std::uint64_t rehearsal);
  // For GET /api/recording: state, session, run, current segment, bytes, last_error.
  nlohmann::json StatusJson() const;
  bool active() const { return recorder_ && !recorder_->stopping(); }
  // No recorder, not even one still closing its last segment.
  bool idle() const { return !recorder_; }

  void OnRecorderSegmentOpened(const media::RecorderSegment& segment) override;
  void OnRecorderSegmentClosed(const media::RecorderSegment& segment) override;
  void OnRecorderFailed(const std::string& message) override;
  void OnRecorderStopped() override;

 private:
  void StartRun();
  void Fail(const std::string& message);
  // Destroys the recorder after the callback that asked for it has returned.
  void DropRecorderSoon();

  media::Program& program_;
  agenda::ArchiveIndex& index_;
  std::string archive_root_;
  const agenda::ConferenceSpec& conference_;
  const agenda::WallClock& wall_clock_;
  std::function<void(const std::string&)> on_failed_;
  std::unique_ptr<media::Recorder> recorder_;
  bool wanted_ = false;
  std::uint64_t rehearsal_ = 0;  // as last told: a deferred start uses it
  bool failed_ = false;
  unsigned run_ = 0;
  std::uint64_t run_bytes_ = 0;
  std::string last_error_;
  media::Lifetime lifetime_;
};

// At start: trims the segments the index lists as still open (cut by a
// crash) to their complete frames, measures and completes them; one that
// does not decode at all is dropped from the index and left on disk. Needs
// gst_init.
Status RecoverOpenSegments(agenda::ArchiveIndex& index, const std::string& archive_root);

// Cuts a segment file to media::CompleteTsPrefix: the last, maybe unfinished,
// frame of each stream goes.
Status TrimToCompletePes(const std::string& path);

}  // namespace bridgecast::app
