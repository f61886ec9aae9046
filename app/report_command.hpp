#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bridgecast::app {

struct ReportOptions {
  std::string conference;  // a conference file or id
  std::string format = "json";
  std::string state_dir = "var";
};

// `bridgecast report attendance`: the attendance report, read from the journal.
void AddReportCommand(CLI::App& app, ReportOptions& options);
int RunReport(const ReportOptions& options);

}  // namespace bridgecast::app
