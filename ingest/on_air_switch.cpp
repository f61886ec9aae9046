#include "ingest/on_air_switch.hpp"

#include <set>

namespace bridgecast::ingest {

std::string_view SourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kIdle:
      return "idle";
    case SourceState::kConnecting:
      return "connecting";
    case SourceState::kLive:
      return "live";
    case SourceState::kStalled:
      return "stalled";
    case SourceState::kFailed:
      return "failed";
  }
  return "failed";
}

OnAirSwitch::OnAirSwitch(std::vector<SourceSpec> sources, std::string selected, Timing timing)
    : selected_(std::move(selected)), timing_(timing) {
  for (SourceSpec& s : sources) sources_[s.id].backup = std::move(s.backup);
}

OnAirSwitch::Entry* OnAirSwitch::Find(std::string_view id) {
  auto it = sources_.find(std::string(id));
  return it == sources_.end() ? nullptr : &it->second;
}

bool OnAirSwitch::Select(std::string_view id) {
  if (!Has(id)) return false;
  selected_ = std::string(id);
  return true;
}

void OnAirSwitch::SetConnecting(std::string_view id) {
  if (Entry* e = Find(id)) {
    e->state = SourceState::kConnecting;
    e->reason.clear();
    e->flowing_since.reset();
  }
}

void OnAirSwitch::SetIdle(std::string_view id, std::string reason) {
  if (Entry* e = Find(id)) {
    e->state = SourceState::kIdle;
    e->reason = std::move(reason);
    e->flowing_since.reset();
  }
}

void OnAirSwitch::SetFailed(std::string_view id, std::string reason) {
  if (Entry* e = Find(id)) {
    e->state = SourceState::kFailed;
    e->reason = std::move(reason);
    e->flowing_since.reset();
  }
}

void OnAirSwitch::ObserveFrames(std::string_view id, std::uint64_t frames,
                                Clock::time_point last_frame, Clock::time_point now) {
  Entry* e = Find(id);
  if (!e) return;
  const bool fresh = frames > 0 && now - last_frame < timing_.stall;
  const bool new_frames = frames > e->frames;
  e->frames = frames;
  switch (e->state) {
    case SourceState::kLive:
      if (!fresh) {
        e->state = SourceState::kStalled;
        e->reason = "no picture for " + std::to_string(timing_.stall.count()) + " ms";
        e->flowing_since.reset();
      }
      break;
    case SourceState::kConnecting:
    case SourceState::kStalled:
      if (!fresh) {
        e->flowing_since.reset();
      } else if (new_frames) {
        if (!e->flowing_since) e->flowing_since = last_frame;
        // A source's first pictures go on air at once; one that stalled must
        // show it is back for good.
        const bool settled = e->state == SourceState::kConnecting ||
                             now - *e->flowing_since >= timing_.settle;
        if (settled) {
          e->state = SourceState::kLive;
          e->reason.clear();
        }
      }
      break;
    case SourceState::kIdle:
    case SourceState::kFailed:
      // Only the pipeline's own report (SetConnecting) revives these.
      break;
  }
}

SourceState OnAirSwitch::state(std::string_view id) const {
  auto it = sources_.find(std::string(id));
  return it == sources_.end() ? SourceState::kFailed : it->second.state;
}

const std::string& OnAirSwitch::reason(std::string_view id) const {
  static const std::string kNone;
  auto it = sources_.find(std::string(id));
  return it == sources_.end() ? kNone : it->second.reason;
}

std::optional<std::string> OnAirSwitch::OnAir() const {
  std::set<std::string> seen;  // backups may form a cycle
  std::string id = selected_;
  while (!id.empty() && seen.insert(id).second) {
    auto it = sources_.find(id);
    if (it == sources_.end()) break;
    if (it->second.state == SourceState::kLive) return id;
    id = it->second.backup;
  }
  return std::nullopt;
}

}  // namespace bridgecast::ingest
