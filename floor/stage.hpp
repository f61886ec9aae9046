#pragma once

#include <glib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"
#include "floor/floor_config.hpp"
#include "floor/hall_return.hpp"
#include "ingest/source_feed.hpp"
#include "media/ice_config.hpp"
#include "media/loudness_normalizer.hpp"
#include "media/main_loop.hpp"
#include "media/point_session.hpp"
#include "media/program.hpp"

namespace bridgecast::floor {

class UplinkSession;

// The floor on air: opens the speaker's uplink when the gateway asks, and
// puts what arrives into the program — the speaker's voice into the mix and,
// once pictures come, its picture laid out with the hall's and its name as a
// caption; back to the hall alone when the uplink ends, fails or its pictures
// stop. Feeds the hall's return. Main loop.
class Stage {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The speaker or what of it is on air changed (Status() tells).
    virtual void OnFloorChanged() = 0;
  };

  // Adds the floor's input to `program`, which must not have started.
  static Result<std::unique_ptr<Stage>> Create(media::Program& program, FloorConfig config,
                                               const media::IceConfig& ice, bool normalize,
                                               media::LoudnessTarget loudness,
                                               Listener& listener);
  ~Stage();
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

  // After Program::Start.
  void Start();

  // The uplink of the point `point` (shown as `name`), which now holds the
  // floor. One at a time: the gateway destroys the previous one first. When
  // it does, the speaker's picture leaves at once and its voice fades out
  // over what the uplink still holds; the uplink goes 150 ms later.
  Result<std::unique_ptr<media::PointSession>> Open(const std::string& point,
                                                    const std::string& name,
                                                    media::PointSession::Listener& listener);

  // Null without a speaker, else {"point","name","layout","state"}: state is
  // `connecting`, `live` (seen and heard), `voice_only` (heard, named over the
  // hall: no camera, or its pictures stopped) or `failed`.
  nlohmann::json Status() const;

 private:
  enum class State { kNone, kConnecting, kLive, kVoiceOnly, kFailed };
  class Handle;

  Stage(media::Program& program, FloorConfig config, media::IceConfig ice, Listener& listener);
  void Tick();
  // The gateway let the uplink go: off air now, destroyed after its fade.
  void Release(std::unique_ptr<UplinkSession> uplink);
  static std::string_view ToString(State state);

  media::Program& program_;
  FloorConfig config_;
  media::IceConfig ice_;
  Listener& listener_;
  std::unique_ptr<ingest::SourceFeed> feed_;
  std::unique_ptr<HallReturn> return_;
  std::unique_ptr<UplinkSession> uplink_;  // the speaker's, the gateway holding its Handle
  std::unique_ptr<UplinkSession> retiring_;  // the previous one, fading out
  guint retire_timer_ = 0;
  std::string point_;
  std::string name_;
  State state_ = State::kNone;
  guint tick_timer_ = 0;
  guint keep_alive_timer_ = 0;
};

}  // namespace bridgecast::floor
