#pragma once

#include <nlohmann/json.hpp>

namespace bridgecast::signaling {

// Where a point's link turns amber (warn) or red (alarm) on the operator's
// board; from the config's "health" section, sent with every stats message.
struct HealthThresholds {
  double loss_warn = 0.02;  // fraction of packets lost, from the receiver's reports
  double loss_alarm = 0.08;
  double rtt_warn_ms = 150;
  double rtt_alarm_ms = 400;
  double jitter_warn_ms = 30;
  double jitter_alarm_ms = 80;
};

inline nlohmann::json ToJson(const HealthThresholds& t) {
  return {{"loss_warn", t.loss_warn},       {"loss_alarm", t.loss_alarm},
          {"rtt_warn_ms", t.rtt_warn_ms},   {"rtt_alarm_ms", t.rtt_alarm_ms},
          {"jitter_warn_ms", t.jitter_warn_ms}, {"jitter_alarm_ms", t.jitter_alarm_ms}};
}

}  // namespace bridgecast::signaling
