#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/archive_command.hpp"
#include "app/report_command.hpp"
#include "app/serve_command.hpp"
#include "app/token_command.hpp"
#include "client/point_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"bridgecast: briefing conferences to many bridge points"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  bridgecast::app::ServeOptions serve;
  bridgecast::app::AddServeCommand(app, serve);
  bridgecast::client::PointOptions point;
  bridgecast::client::AddPointCommand(
      *app.add_subcommand("point", "Join as bridge points (the native client)"), point);
  bridgecast::app::TokenOptions token;
  bridgecast::app::AddTokenCommand(app, token);
  bridgecast::app::ReportOptions report;
  bridgecast::app::AddReportCommand(app, report);
  bridgecast::app::ArchiveOptions archive;
  bridgecast::app::AddArchiveCommand(app, archive);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_default_logger(spdlog::stderr_color_mt("bridgecast"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (app.got_subcommand("serve")) return bridgecast::app::RunServe(serve);
  if (app.got_subcommand("point")) return bridgecast::client::RunPoint(point);
  if (app.got_subcommand("token")) return bridgecast::app::RunToken(token);
  if (app.got_subcommand("report")) return bridgecast::app::RunReport(report);
  if (app.got_subcommand("archive")) return bridgecast::app::RunArchive(app, archive);
  return 2;
}
