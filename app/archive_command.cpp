#include "app/archive_command.hpp"

#include <fmt/format.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "agenda/store/archive_index.hpp"
#include "agenda/store/conference_store.hpp"
#include "agenda/store/session_timeline.hpp"
#include "app/conference_lookup.hpp"
#include "media/archive_export.hpp"
#include "media/media_probe.hpp"
#include "media/mp4_chapters.hpp"

namespace bridgecast::app {
namespace {

// Consecutive segments further apart than this (wall clock) are a gap.
constexpr agenda::Millis kGapTolerance{1000};
constexpr std::chrono::seconds kProbeTimeout{20};
constexpr std::chrono::seconds kExportTimeout{3600};

std::string ArchiveRoot(const std::string& state_dir) { return state_dir + "/archive"; }

Result<std::unique_ptr<agenda::ArchiveIndex>> OpenIndex(const std::string& state_dir) {
  const std::string path = state_dir + "/archive.db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Error{"archive_error", "no archive index at " + path};
  }
  return agenda::ArchiveIndex::Open(path);
}

Result<std::vector<agenda::ArchivedSegment>> SessionSegments(const agenda::ArchiveIndex& index,
                                                             const std::string& session) {
  auto segments = index.Segments(session);
  if (!segments) return segments.error();
  if (segments->empty()) return Error{"unknown_session", "nothing recorded for " + session};
  return segments;
}

void Print(const std::string& line) { std::fputs((line + "\n").c_str(), stdout); }

Result<int> List(const ArchiveOptions& o) {
  auto index = OpenIndex(o.state_dir);
  if (!index) return index.error();
  auto sessions = (*index)->Sessions();
  if (!sessions) return sessions.error();
  for (const agenda::ArchivedSession& s : *sessions) {
    Print(fmt::format("{}\t{}\t{} runs\t{} segments\t{:.1f} s\t{} bytes\t{}", s.id,
                      agenda::ToIso8601(s.first_wall), s.runs, s.segments,
                      s.duration.count() / 1000.0, s.bytes, s.title));
  }
  return 0;
}

Result<int> Verify(const ArchiveOptions& o) {
  auto index = OpenIndex(o.state_dir);
  if (!index) return index.error();
  auto segments = SessionSegments(**index, o.session);
  if (!segments) return segments.error();
  gst_init(nullptr, nullptr);
  int bad = 0;
  int gaps = 0;
  agenda::Millis playable{0};
  const agenda::ArchivedSegment* previous = nullptr;
  for (const agenda::ArchivedSegment& s : *segments) {
    const std::string path = ArchiveRoot(o.state_dir) + "/" + s.session + "/" + s.file;
    if (previous) {
      const agenda::Timestamp expected = previous->wall_start + previous->duration;
      const agenda::Millis gap = s.wall_start - expected;
      if (gap > kGapTolerance) {
        ++gaps;
        Print(fmt::format("gap\t{:.1f} s\tbetween {} and {} ({} to {})", gap.count() / 1000.0,
                          previous->file, s.file, agenda::ToIso8601(expected),
                          agenda::ToIso8601(s.wall_start)));
      }
    }
    previous = &s;
    auto info = media::ProbeMedia(path, kProbeTimeout);
    if (!info && !s.complete) {
      // The file being written, or cut by a stop or crash right after it opened;
      // the node's next start measures or drops it.
      Print(fmt::format("open\t{}\t{}", s.file, info.error().message));
      continue;
    }
    if (!info) {
      ++bad;
      Print(fmt::format("FAIL\t{}\t{}", s.file, info.error().message));
      continue;
    }
    if (!info->video || !info->audio) {
      ++bad;
      Print(fmt::format("FAIL\t{}\tstreams: video {}, audio {}", s.file, info->video, info->audio));
      continue;
    }
    playable += info->duration;
    Print(fmt::format("ok\t{}\t{:.2f} s\t{} bytes\t{} + {}{}", s.file,
                      info->duration.count() / 1000.0, s.bytes, info->video_codec,
                      info->audio_codec, s.complete ? "" : "\t(being written)"));
  }
  Print(fmt::format("{}: {} segments, {} bad, {} gaps, {:.1f} s playable", o.session,
                    segments->size(), bad, gaps, playable.count() / 1000.0));
  return bad == 0 ? 0 : 1;
}

Result<int> Export(const ArchiveOptions& o) {
  auto index = OpenIndex(o.state_dir);
  if (!index) return index.error();
  // The chapters, and which runs are the real run's, come from the journal
  // (WAL: readable while the node runs).
  auto store = agenda::ConferenceStore::Open(JournalPath(o.state_dir));
  if (!store) return store.error();
  auto loaded = agenda::LoadTimeline(**store, **index, o.session);
  if (!loaded) return loaded.error();
  std::vector<std::vector<std::string>> runs;
  unsigned run = 0;
  for (const agenda::ArchivedSegment& s : loaded->segments) {
    if (runs.empty() || s.run != run) runs.emplace_back();
    run = s.run;
    runs.back().push_back(ArchiveRoot(o.state_dir) + "/" + s.session + "/" + s.file);
  }
  gst_init(nullptr, nullptr);
  if (runs.empty()) return Error{"unknown_session", "no playable segment in " + o.session};
  if (Status exported = media::ExportMp4(runs, o.out, kExportTimeout); !exported) {
    return exported.error();
  }
  std::vector<media::Mp4Chapter> chapters;
  for (const agenda::Chapter& c : loaded->timeline.chapters) chapters.push_back({c.start, c.title});
  if (Status marked = media::WriteMp4Chapters(o.out, chapters); !marked) return marked.error();
  auto info = media::ProbeMedia(o.out, kProbeTimeout);
  if (!info) return info.error();
  Print(fmt::format("{}: {:.1f} s, {} + {}, {} chapters", o.out, info->duration.count() / 1000.0,
                    info->video_codec, info->audio_codec, chapters.size()));
  return 0;
}

}  // namespace

void AddArchiveCommand(CLI::App& app, ArchiveOptions& o) {
  CLI::App* archive = app.add_subcommand("archive", "The recorded sessions");
  archive->require_subcommand(1);
  CLI::App* list = archive->add_subcommand("list", "Every archived session");
  list->add_option("--state-dir", o.state_dir, "The node's state directory (default ./var)");
  CLI::App* verify =
      archive->add_subcommand("verify", "Check that every segment decodes; report gaps");
  verify->add_option("session", o.session, "Session (conference id)")->required();
  verify->add_option("--state-dir", o.state_dir, "The node's state directory (default ./var)");
  CLI::App* exporter =
      archive->add_subcommand("export", "Write the session as one MP4 with chapter marks");
  exporter->add_option("session", o.session, "Session (conference id)")->required();
  exporter->add_option("--out", o.out, "The MP4 file to write")->required();
  exporter->add_option("--state-dir", o.state_dir, "The node's state directory (default ./var)");
}

int RunArchive(const CLI::App& app, const ArchiveOptions& options) {
  const CLI::App* archive = app.get_subcommand("archive");
  Result<int> status = archive->got_subcommand("list")     ? List(options)
                       : archive->got_subcommand("verify") ? Verify(options)
                                                           : Export(options);
  if (!status) {
    spdlog::error("{}: {}", status.error().code, status.error().message);
    return 2;
  }
  return *status;
}

}  // namespace bridgecast::app
