#include "app/archive_recording.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "media/media_probe.hpp"
#include "media/ts_packet.hpp"

namespace bridgecast::app {

ArchiveRecording::ArchiveRecording(media::Program& program, agenda::ArchiveIndex& index,
                                   std::string archive_root,
                                   const agenda::ConferenceSpec& conference,
                                   const agenda::WallClock& wall_clock,
                                   std::function<void(const std::string&)> on_failed)
    : program_(program),
      index_(index),
      archive_root_(std::move(archive_root)),
      conference_(conference),
      wall_clock_(wall_clock),
      on_failed_(std::move(on_failed)) {}

ArchiveRecording::~ArchiveRecording() = default;

void ArchiveRecording::Follow(bool recording, std::uint64_t rehearsal) {
  wanted_ = recording;
  rehearsal_ = rehearsal;
  if (!recording) {
    failed_ = false;
    if (recorder_ && !recorder_->stopping()) recorder_->Stop();
    return;
  }
  if (!recorder_ && !failed_) StartRun();
  // A recorder still stopping is replaced when it has stopped.
}

void ArchiveRecording::StartRun() {
  const std::string directory = archive_root_ + "/" + conference_.id;
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Fail("cannot create " + directory + ": " + ec.message());
  const agenda::Timestamp now = wall_clock_.Now();
  if (Status s = index_.AddSession(conference_.id, conference_.title, now); !s) {
    return Fail(s.error().message);
  }
  auto run = index_.StartRun(conference_.id, now, rehearsal_);
  if (!run) return Fail(run.error().message);
  media::RecorderConfig config;
  config.directory = directory;
  config.run = *run;
  auto recorder = media::Recorder::Start(program_, config, *this);
  if (!recorder) return Fail(recorder.error().message);
  recorder_ = std::move(*recorder);
  run_ = *run;
  run_bytes_ = 0;
  last_error_.clear();
}

void ArchiveRecording::Fail(const std::string& message) {
  spdlog::error("archive: recording failed: {}", message);
  failed_ = true;
  last_error_ = message;
  on_failed_(message);
}

void ArchiveRecording::DropRecorderSoon() {
  media::PostIfAlive(lifetime_.Watch(), [this] {
    recorder_.reset();
    if (wanted_ && !failed_) StartRun();
  });
}

void ArchiveRecording::OnRecorderSegmentOpened(const media::RecorderSegment& s) {
  agenda::ArchivedSegment segment;
  segment.session = conference_.id;
  segment.run = s.run;
  segment.seq = s.seq;
  segment.file = s.file;
  segment.wall_start = s.wall_start;
  if (Status added = index_.AddSegment(segment); !added) {
    spdlog::error("archive: {} not indexed: {}", s.file, added.error().message);
  }
}

void ArchiveRecording::OnRecorderSegmentClosed(const media::RecorderSegment& s) {
  run_bytes_ += s.bytes;
  Status done = index_.CompleteSegment(conference_.id, s.run, s.seq, s.duration, s.bytes);
  if (!done) spdlog::error("archive: {} not completed: {}", s.file, done.error().message);
}

void ArchiveRecording::OnRecorderFailed(const std::string& message) {
  DropRecorderSoon();
  Fail(message);
}

void ArchiveRecording::OnRecorderStopped() {
  spdlog::info("archive: run {} of {} stopped", run_, conference_.id);
  DropRecorderSoon();
}

nlohmann::json ArchiveRecording::StatusJson() const {
  std::string state = "off";
  if (recorder_) {
    state = recorder_->stopping() ? "stopping" : "recording";
  } else if (!last_error_.empty()) {
    state = "failed";  // until the next run starts
  }
  nlohmann::json segment = nullptr;
  if (recorder_ && recorder_->current()) {
    const media::RecorderSegment& s = *recorder_->current();
    std::error_code ec;
    const auto size =
        std::filesystem::file_size(archive_root_ + "/" + conference_.id + "/" + s.file, ec);
    segment = {{"file", s.file},
               {"started", agenda::ToIso8601(s.wall_start)},
               {"bytes", ec ? 0 : size}};
  }
  return {{"state", state},
          {"session", conference_.id},
          {"run", run_ ? nlohmann::json(run_) : nlohmann::json(nullptr)},
          {"segment", segment},
          {"run_bytes", run_bytes_},
          {"last_error", last_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error_)}};
}

Status TrimToCompletePes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), {});
  if (!in.eof() && in.fail()) return Error{"archive_error", "cannot read the segment"};
  const size_t keep = media::CompleteTsPrefix(
      {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
  if (keep == data.size()) return Ok{};
  std::error_code ec;
  std::filesystem::resize_file(path, keep, ec);
  if (ec) return Error{"archive_error", "cannot trim the segment: " + ec.message()};
  spdlog::info("archive: {}: cut at a crash; trimmed {} bytes of unfinished frames", path,
               data.size() - keep);
  return Ok{};
}

Status RecoverOpenSegments(agenda::ArchiveIndex& index, const std::string& archive_root) {
  auto open = index.IncompleteSegments();
  if (!open) return open.error();
  for (const agenda::ArchivedSegment& s : *open) {
    const std::string path = archive_root + "/" + s.session + "/" + s.file;
    if (Status trimmed = TrimToCompletePes(path); !trimmed) {
      spdlog::warn("archive: {}: {}", path, trimmed.error().message);
    }
    auto info = media::ProbeMedia(path);
    if (!info || info->duration <= agenda::Millis(0)) {
      spdlog::warn("archive: {} was cut before anything decodable; dropped from the index", path);
      if (Status dropped = index.DropSegment(s.session, s.run, s.seq); !dropped) return dropped;
      continue;
    }
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (Status done = index.CompleteSegment(s.session, s.run, s.seq, info->duration,
                                            ec ? 0 : bytes);
        !done) {
      return done;
    }
    spdlog::info("archive: recovered {} ({} ms)", path, info->duration.count());
  }
  return Ok{};
}

}  // namespace bridgecast::app
