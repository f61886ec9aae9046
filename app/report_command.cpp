#include "app/report_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "agenda/attendance_report.hpp"
#include "agenda/errors.hpp"
#include "agenda/store/conference_store.hpp"
#include "app/conference_lookup.hpp"

namespace bridgecast::app {
namespace {

Result<std::string> Report(const ReportOptions& o) {
  const std::string journal = JournalPath(o.state_dir);
  std::error_code ec;
  if (!std::filesystem::exists(journal, ec)) {
    return Error{agenda::errc::kJournalError, "no journal at " + journal};
  }
  auto spec = FindConference(o.conference, o.state_dir);
  if (!spec) return spec.error();
  // WAL lets this read while a node is appending.
  auto store = agenda::ConferenceStore::Open(journal);
  if (!store) return store.error();
  const agenda::Conference* conference = (*store)->Find(spec->id);
  if (!conference) {
    return Error{agenda::errc::kUnknownConference, "no events of " + spec->id + " in " + journal};
  }
  const agenda::AttendanceReport report =
      agenda::BuildAttendanceReport(*conference, agenda::WallNow());
  return o.format == "csv" ? agenda::ToCsv(report) : agenda::ToJson(report).dump(2) + "\n";
}

}  // namespace

void AddReportCommand(CLI::App& app, ReportOptions& o) {
  CLI::App* report = app.add_subcommand("report", "Reports read from the journal");
  report->require_subcommand(1);
  CLI::App* attendance = report->add_subcommand("attendance", "Attendance per bridge point");
  attendance->add_option("--conference", o.conference, "Conference id or conference file")
      ->required();
  attendance->add_option("--format", o.format, "json or csv (UTF-8 with BOM)")
      ->check(CLI::IsMember({"json", "csv"}));
  attendance->add_option("--state-dir", o.state_dir, "The node's state directory (default ./var)");
}

int RunReport(const ReportOptions& options) {
  auto text = Report(options);
  if (!text) {
    spdlog::error("{}: {}", text.error().code, text.error().message);
    return 2;
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return 0;
}

}  // namespace bridgecast::app
