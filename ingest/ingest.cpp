#include "ingest/ingest.hpp"

#include <spdlog/spdlog.h>

#include "ingest/decoded_source.hpp"
#include "ingest/whip_source.hpp"

namespace bridgecast::ingest {
namespace {

constexpr guint kTickMs = 100;
constexpr guint kKeepAliveMs = 20;

std::string_view KindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kTestPattern:
      return "test_pattern";
    case SourceKind::kFile:
      return "file";
    case SourceKind::kSrt:
      return "srt";
    case SourceKind::kRtsp:
      return "rtsp";
    case SourceKind::kDevice:
      return "device";
    case SourceKind::kWhip:
      return "whip";
  }
  return "test_pattern";
}

std::vector<OnAirSwitch::SourceSpec> Specs(const std::vector<SourceConfig>& sources) {
  std::vector<OnAirSwitch::SourceSpec> out;
  for (const SourceConfig& s : sources) out.push_back({s.id, s.backup});
  return out;
}

IngestConfig WithDefaults(IngestConfig config) {
  if (config.sources.empty()) {
    SourceConfig test;
    test.id = "test";
    test.label = "Tín hiệu thử";
    config.sources.push_back(test);
  }
  if (config.on_air.empty()) config.on_air = config.sources.front().id;
  return config;
}

}  // namespace

Ingest::Ingest(media::Program& program, IngestConfig config, Listener& listener)
    : program_(program),
      config_(std::move(config)),
      listener_(listener),
      switch_(Specs(config_.sources), config_.on_air,
              OnAirSwitch::Timing{config_.stall, std::chrono::milliseconds(150)}) {}

Result<std::unique_ptr<Ingest>> Ingest::Create(media::Program& program, IngestConfig config,
                                               const media::IceConfig& ice,
                                               Listener& listener) {
  config = WithDefaults(std::move(config));
  std::unique_ptr<Ingest> ingest(new Ingest(program, config, listener));
  if (!ingest->switch_.Has(ingest->config_.on_air)) {
    return Error{"bad_config", "on-air source '" + config.on_air + "' is not declared"};
  }
  media::LoudnessTarget loudness;
  loudness.lufs = ingest->config_.loudness_lufs;
  for (const SourceConfig& source : ingest->config_.sources) {
    media::Program::Input* input = program.AddInput(source.id);
    if (!input) return Error{"bad_config", "source '" + source.id + "' is declared twice"};
    Entry entry;
    entry.config = source;
    entry.feed = std::make_unique<SourceFeed>(program, *input,
                                              ingest->config_.normalize_loudness, loudness);
    SourceListener& listener_ref = *ingest;
    if (source.kind == SourceKind::kWhip) {
      auto whip = std::make_unique<WhipSource>(source, program.config(), ice, *entry.feed,
                                               listener_ref);
      entry.whip = whip.get();
      entry.source = std::move(whip);
    } else {
      entry.source =
          std::make_unique<DecodedSource>(source, program.config(), *entry.feed, listener_ref);
    }
    ingest->entries_.push_back(std::move(entry));
  }
  return ingest;
}

Ingest::~Ingest() {
  if (tick_timer_) g_source_remove(tick_timer_);
  if (keep_alive_timer_) g_source_remove(keep_alive_timer_);
}

void Ingest::Start() {
  for (Entry& e : entries_) e.source->Start();
  keep_alive_timer_ = g_timeout_add(
      kKeepAliveMs,
      [](gpointer data) -> gboolean {
        for (Entry& e : static_cast<Ingest*>(data)->entries_) e.feed->KeepAlive();
        return G_SOURCE_CONTINUE;
      },
      this);
  tick_timer_ = g_timeout_add(
      kTickMs,
      [](gpointer data) -> gboolean {
        static_cast<Ingest*>(data)->Tick();
        return G_SOURCE_CONTINUE;
      },
      this);
  Update();
}

bool Ingest::Select(std::string_view id) {
  if (!switch_.Select(id)) return false;
  spdlog::info("ingest: source {} selected", id);
  Update();
  return true;
}

WhipSource* Ingest::Whip(std::string_view id) {
  for (Entry& e : entries_) {
    if (e.whip && (id.empty() || e.config.id == id)) return e.whip;
  }
  return nullptr;
}

void Ingest::OnSourceConnecting(const std::string& id) {
  switch_.SetConnecting(id);
  Update();
}

void Ingest::OnSourceIdle(const std::string& id, const std::string& reason) {
  switch_.SetIdle(id, reason);
  Update();
}

void Ingest::OnSourceFailed(const std::string& id, const std::string& reason) {
  switch_.SetFailed(id, reason);
  Update();
}

void Ingest::Tick() {
  const auto now = std::chrono::steady_clock::now();
  for (Entry& e : entries_) {
    switch_.ObserveFrames(e.config.id, e.feed->frames(), e.feed->last_frame(), now);
  }
  Update();
}

void Ingest::Update() {
  const std::optional<std::string> on_air = switch_.OnAir();
  const bool on_air_changed = on_air != on_air_;
  bool changed = on_air_changed;
  // The source on air passes through when its H.264 already has the
  // program's format; the switch happens at its next keyframe.
  std::optional<std::string> passthrough;
  for (const Entry& e : entries_) {
    if (on_air && e.config.id == *on_air && e.feed->passthrough_capable()) passthrough = *on_air;
  }
  if (passthrough != passthrough_wanted_) {
    program_.PassThrough(passthrough);
    passthrough_wanted_ = passthrough;
  }
  const std::optional<std::string> passing = program_.PassingThrough();
  if (passing != passing_) {
    spdlog::info("ingest: {}", passing ? "source " + *passing + " passes through, not re-encoded"
                                       : std::string("the program is encoded by the node"));
    passing_ = passing;
    changed = true;
  }
  if (on_air_changed) {
    program_.Show(on_air);
    for (Entry& e : entries_) e.feed->SetAudible(on_air && *on_air == e.config.id);
    if (on_air) {
      spdlog::info("ingest: on air: {} ({})", *on_air,
                   *on_air == switch_.selected() ? "selected" : "backup");
    } else {
      spdlog::warn("ingest: on air: the slate (source {} is {})", switch_.selected(),
                   SourceStateName(switch_.state(switch_.selected())));
    }
    on_air_ = on_air;
  }
  for (const Entry& e : entries_) {
    auto now = std::pair{switch_.state(e.config.id), switch_.reason(e.config.id)};
    auto& before = reported_[e.config.id];
    if (before != now) {
      if (now.first != SourceState::kLive) {
        spdlog::info("ingest: source {} is {}{}{}", e.config.id, SourceStateName(now.first),
                     now.second.empty() ? "" : ": ", now.second);
      } else {
        spdlog::info("ingest: source {} is live: {}{}", e.config.id, e.source->InputFormat(),
                     e.feed->passthrough_capable() ? ", the program's format" : ", re-encoded");
      }
      before = now;
      changed = true;
    }
  }
  if (changed) listener_.OnIngestChanged();
}

nlohmann::json Ingest::Status() const {
  nlohmann::json sources = nlohmann::json::array();
  for (const Entry& e : entries_) {
    sources.push_back({{"id", e.config.id},
                       {"label", e.config.label.empty() ? e.config.id : e.config.label},
                       {"kind", KindName(e.config.kind)},
                       {"state", SourceStateName(switch_.state(e.config.id))},
                       {"reason", switch_.reason(e.config.id)},
                       {"input", e.source->InputFormat()},
                       {"encoding", passing_ && *passing_ == e.config.id ? "passthrough"
                                                                         : "reencode"},
                       {"on_air", on_air_ && *on_air_ == e.config.id}});
  }
  return {{"selected", switch_.selected()},
          {"on_air", on_air_ ? nlohmann::json(*on_air_) : nlohmann::json(nullptr)},
          {"slate", !on_air_.has_value()},
          {"sources", std::move(sources)}};
}

}  // namespace bridgecast::ingest
