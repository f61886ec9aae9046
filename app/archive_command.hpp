#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bridgecast::app {

struct ArchiveOptions {
  std::string session;  // the conference id
  std::string out;      // export: the MP4 to write
  std::string state_dir = "var";
};

// `bridgecast archive list|verify|export`: the recordings in STATE_DIR/archive,
// read through STATE_DIR/archive.db (also while a node records).
void AddArchiveCommand(CLI::App& app, ArchiveOptions& options);
// Exit status: 0 done (verify: every segment decodes), 1 verify found a
// segment that does not, 2 the command failed.
int RunArchive(const CLI::App& app, const ArchiveOptions& options);

}  // namespace bridgecast::app
