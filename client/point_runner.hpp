#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "client/point_client.hpp"

namespace bridgecast::client {

// Runs N points in one process: staggered joins, a clean stop, the report.
class PointRunner final : public PointClient::Listener {
 public:
  // `on_finished` runs once every point is idle after Stop(), or when all
  // points gave up, or at the latest `close_grace` after Stop().
  PointRunner(WsContext& context, std::vector<PointClientConfig> configs, const Clock& clock,
              std::function<void()> on_finished);

  void Start(std::chrono::milliseconds stagger);
  // Ends the run: the report is taken now, then the points close. Calling it
  // again finishes without waiting for the closes.
  void Stop(std::chrono::milliseconds close_grace = std::chrono::seconds(2));
  // The report as of Stop(), or as of now while running.
  RunReport Report() const;

 private:
  void OnPointIdle(PointClient& point) override;
  void StartNext();
  bool AllIdle() const;
  void Finish();

  std::vector<std::unique_ptr<PointClient>> points_;
  const Clock& clock_;
  std::function<void()> on_finished_;
  TimePoint started_at_{};
  std::optional<RunReport> final_report_;
  std::chrono::milliseconds stagger_{0};
  size_t next_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  Timer stagger_timer_;
  Timer grace_timer_;
};

}  // namespace bridgecast::client
