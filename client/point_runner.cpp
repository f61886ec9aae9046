#include "client/point_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace bridgecast::client {

PointRunner::PointRunner(WsContext& context, std::vector<PointClientConfig> configs,
                         const Clock& clock, std::function<void()> on_finished)
    : clock_(clock), on_finished_(std::move(on_finished)) {
  for (PointClientConfig& config : configs) {
    points_.push_back(std::make_unique<PointClient>(context, std::move(config), clock, *this));
  }
}

void PointRunner::Start(std::chrono::milliseconds stagger) {
  started_at_ = clock_.Now();
  stagger_ = stagger;
  StartNext();
}

// Joins are spread out so that N points do not all negotiate at once.
void PointRunner::StartNext() {
  if (stopping_ || next_ >= points_.size()) return;
  points_[next_++]->Start();
  if (!stopping_ && next_ < points_.size()) {
    stagger_timer_.Start(stagger_, [this] { StartNext(); });
  }
}

void PointRunner::Stop(std::chrono::milliseconds close_grace) {
  if (stopping_) {
    Finish();  // asked twice (a second SIGINT): stop waiting for clean closes
    return;
  }
  final_report_ = Report();
  stopping_ = true;
  stagger_timer_.Stop();
  spdlog::info("stopping {} point(s)", points_.size());
  grace_timer_.Start(close_grace, [this] {
    spdlog::warn("some points did not close within the grace period");
    Finish();
  });
  for (auto& point : points_) point->Stop();
  if (AllIdle()) Finish();
}

RunReport PointRunner::Report() const {
  if (final_report_) return *final_report_;
  RunReport report;
  report.duration_s = std::chrono::duration<double>(clock_.Now() - started_at_).count();
  for (const auto& point : points_) report.points.push_back(point->Report());
  return report;
}

void PointRunner::OnPointIdle(PointClient&) {
  if (!AllIdle()) return;
  if (stopping_) {
    Finish();
  } else {
    spdlog::error("every point gave up");
    Stop();
  }
}

// Points not started yet are not idle.
bool PointRunner::AllIdle() const {
  return std::all_of(points_.begin(), points_.end(), [](const auto& p) { return p->idle(); });
}

void PointRunner::Finish() {
  if (finished_) return;
  finished_ = true;
  grace_timer_.Stop();
  on_finished_();
}

}  // namespace bridgecast::client
