#include "floor/stage.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "floor/uplink_session.hpp"

namespace bridgecast::floor {
namespace {

constexpr guint kTickMs = 100;
// As the ingest's: the mixers never wait for a silent input.
constexpr guint kKeepAliveMs = 20;
constexpr auto kFirstPicture = std::chrono::milliseconds(1500);
// Pictures count as flowing when the newest is this recent.
constexpr auto kFresh = std::chrono::milliseconds(500);

// How long a released uplink plays on, inaudible after its fade (50 ms).
constexpr guint kRetireMs = 150;

}  // namespace

// What the gateway holds of the uplink: its signaling. Destroying it gives the
// uplink back to the stage, which fades it out first.
class Stage::Handle final : public media::PointSession {
 public:
  Handle(Stage& stage, UplinkSession& uplink) : stage_(stage), uplink_(uplink) {}
  ~Handle() override { stage_.Release(std::move(stage_.uplink_)); }
  bridgecast::Status SetRemoteAnswer(std::string_view sdp) override {
    return uplink_.SetRemoteAnswer(sdp);
  }
  bridgecast::Status AddRemoteCandidate(unsigned mline_index, std::string_view candidate) override {
    return uplink_.AddRemoteCandidate(mline_index, candidate);
  }
  media::LinkState link_state() const override { return uplink_.link_state(); }
  const media::PointStats& stats() const override { return uplink_.stats(); }

 private:
  Stage& stage_;
  UplinkSession& uplink_;
};

Stage::Stage(media::Program& program, FloorConfig config, media::IceConfig ice,
             Listener& listener)
    : program_(program), config_(std::move(config)), ice_(std::move(ice)), listener_(listener) {}

Result<std::unique_ptr<Stage>> Stage::Create(media::Program& program, FloorConfig config,
                                             const media::IceConfig& ice, bool normalize,
                                             media::LoudnessTarget loudness, Listener& listener) {
  std::unique_ptr<Stage> stage(new Stage(program, std::move(config), ice, listener));
  media::Program::Input* input = program.AddFloorInput();
  if (!input) return Error{"media_failed", "the program has no room for the floor"};
  stage->feed_ = std::make_unique<ingest::SourceFeed>(program, *input, normalize, loudness);
  if (!stage->config_.return_srt.empty()) {
    auto hall_return = HallReturn::Create(program, stage->config_.return_srt);
    if (!hall_return) return hall_return.error();
    stage->return_ = std::move(*hall_return);
  }
  return stage;
}

Stage::~Stage() {
  if (retire_timer_) g_source_remove(retire_timer_);
  if (tick_timer_) g_source_remove(tick_timer_);
  if (keep_alive_timer_) g_source_remove(keep_alive_timer_);
  program_.ShowFloor(std::nullopt);
}

void Stage::Start() {
  if (return_) return_->Start();
  tick_timer_ = g_timeout_add(
      kTickMs,
      [](gpointer data) -> gboolean {
        static_cast<Stage*>(data)->Tick();
        return G_SOURCE_CONTINUE;
      },
      this);
  keep_alive_timer_ = g_timeout_add(
      kKeepAliveMs,
      [](gpointer data) -> gboolean {
        static_cast<Stage*>(data)->feed_->KeepAlive();
        return G_SOURCE_CONTINUE;
      },
      this);
}

Result<std::unique_ptr<media::PointSession>> Stage::Open(const std::string& point,
                                                         const std::string& name,
                                                         media::PointSession::Listener& listener) {
  if (uplink_) return Error{"busy", "another point's uplink is open"};
  // A fading uplink still pushes into the feed the new one will use.
  retiring_.reset();
  auto session = UplinkSession::Create(program_, ice_, *feed_, listener, "floor-" + point);
  if (!session) return session.error();
  uplink_ = std::move(*session);
  point_ = point;
  name_ = name;
  spdlog::info("floor: {}: uplink offered", point);
  Tick();
  return std::unique_ptr<media::PointSession>(new Handle(*this, *uplink_));
}

void Stage::Release(std::unique_ptr<UplinkSession> uplink) {
  uplink->Retire();
  retiring_ = std::move(uplink);
  Tick();
  if (retire_timer_) g_source_remove(retire_timer_);
  retire_timer_ = g_timeout_add(
      kRetireMs,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<Stage*>(data);
        self->retire_timer_ = 0;
        self->retiring_.reset();
        return G_SOURCE_REMOVE;
      },
      this);
}

void Stage::Tick() {
  State next = State::kNone;
  bool picture = false;
  if (uplink_) {
    const auto now = std::chrono::steady_clock::now();
    const auto last = feed_->last_frame();
    const bool seen = last > uplink_->opened();
    // On air with pictures flowing; off only once they stop for `stall`.
    picture = seen && now - last < (state_ == State::kLive ? config_.stall : kFresh);
    // A camera's first picture takes a moment after the link is up: the
    // speaker goes on air with it, or without one after kFirstPicture.
    const bool waiting =
        uplink_->sends_video() && !seen && now - uplink_->opened() < kFirstPicture;
    switch (uplink_->link_state()) {
      case media::LinkState::kConnected:
        next = picture ? State::kLive : waiting ? State::kConnecting : State::kVoiceOnly;
        break;
      case media::LinkState::kFailed:
      case media::LinkState::kClosed:
        next = State::kFailed;
        break;
      default:
        next = State::kConnecting;
    }
  }
  if (next == state_) return;
  spdlog::info("floor: {}: {}", point_, ToString(next));
  state_ = next;
  const bool heard = next == State::kLive || next == State::kVoiceOnly;
  feed_->SetAudible(heard);
  if (heard) {
    program_.ShowFloor(
        Arrange(config_.layout, program_.config().width, program_.config().height, picture, name_));
  } else {
    program_.ShowFloor(std::nullopt);
  }
  if (next == State::kNone) point_.clear();
  listener_.OnFloorChanged();
}

nlohmann::json Stage::Status() const {
  if (state_ == State::kNone) return nullptr;
  return {{"point", point_},
          {"name", name_},
          {"layout", floor::ToString(config_.layout)},
          {"state", ToString(state_)}};
}

std::string_view Stage::ToString(State state) {
  switch (state) {
    case State::kNone:
      return "none";
    case State::kConnecting:
      return "connecting";
    case State::kLive:
      return "live";
    case State::kVoiceOnly:
      return "voice_only";
    case State::kFailed:
      return "failed";
  }
  return "none";
}

}  // namespace bridgecast::floor
