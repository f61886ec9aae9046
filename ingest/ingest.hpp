#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "ingest/on_air_switch.hpp"
#include "ingest/source.hpp"
#include "ingest/source_config.hpp"
#include "ingest/source_feed.hpp"
#include "media/ice_config.hpp"
#include "media/main_loop.hpp"
#include "media/program.hpp"

namespace bridgecast::ingest {

class WhipSource;

// The program's sources: starts them, watches their pictures, and keeps on air
// the selected one, its backup, or the slate (OnAirSwitch). Main loop.
class Ingest final : private SourceListener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A source's state or what is on air changed (Status() tells).
    virtual void OnIngestChanged() = 0;
  };

  // Adds the sources' inputs to `program`, which must not have started.
  // WHIP sources negotiate ICE as the points do (`ice`).
  static Result<std::unique_ptr<Ingest>> Create(media::Program& program, IngestConfig config,
                                                const media::IceConfig& ice, Listener& listener);
  ~Ingest() override;

  // Starts the sources and the stall detector; after Program::Start.
  void Start();

  bool Has(std::string_view id) const { return switch_.Has(id); }
  // The operator's choice; false for an unknown source.
  bool Select(std::string_view id);
  const std::string& selected() const { return switch_.selected(); }
  std::optional<std::string> on_air() const { return on_air_; }
  // {"selected","on_air" (null: the slate),"slate","sources":[{"id","label",
  //  "kind","state","reason","input","encoding","on_air"}]}
  nlohmann::json Status() const;

  // The WHIP source of that id (the first one if `id` is empty), or null.
  WhipSource* Whip(std::string_view id);

 private:
  struct Entry {
    SourceConfig config;
    std::unique_ptr<SourceFeed> feed;
    std::unique_ptr<Source> source;
    WhipSource* whip = nullptr;  // `source`, when it is one
  };

  Ingest(media::Program& program, IngestConfig config, Listener& listener);
  void OnSourceConnecting(const std::string& id) override;
  void OnSourceIdle(const std::string& id, const std::string& reason) override;
  void OnSourceFailed(const std::string& id, const std::string& reason) override;
  void Tick();
  // Applies the switch's decision to the program; tells the listener.
  void Update();

  media::Program& program_;
  IngestConfig config_;
  Listener& listener_;
  std::vector<Entry> entries_;
  OnAirSwitch switch_;
  std::optional<std::string> on_air_;
  std::optional<std::string> passthrough_wanted_;  // asked of the program
  std::optional<std::string> passing_;             // what the program reported last
  std::map<std::string, std::pair<SourceState, std::string>> reported_;
  guint tick_timer_ = 0;
  guint keep_alive_timer_ = 0;
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::ingest
