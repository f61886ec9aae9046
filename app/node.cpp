#include "app/node.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "app/conference_file.hpp"
#include "app/join_links.hpp"
#include "ingest/whip_source.hpp"
#include "media/webrtc_point_session.hpp"
#include "signaling/tls_identity.hpp"

namespace bridgecast::app {
namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UrlHost(const std::string& host) {
  if (host == "0.0.0.0" || host == "::") return "localhost";
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

Node::Node(GMainLoop* loop, NodeConfig config) : loop_(loop), config_(std::move(config)) {}

Result<std::unique_ptr<Node>> Node::Start(GMainLoop* loop, const NodeConfig& config) {
  std::unique_ptr<Node> node(new Node(loop, config));
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) return Error{"io_error", "cannot create state dir " + config.state_dir};
  ::chmod(config.state_dir.c_str(), 0700);

  auto conference = LoadConference(config.conference_file);
  if (!conference) return conference.error();
  node->conference_ = std::move(*conference);
  auto store = agenda::ConferenceStore::Open(config.state_dir + "/journal.db");
  if (!store) return store.error();
  node->store_ = std::move(*store);
  if (Status added = node->store_->Add(node->conference_); !added) return added.error();

  auto archive_index = agenda::ArchiveIndex::Open(config.state_dir + "/archive.db");
  if (!archive_index) return archive_index.error();
  node->archive_index_ = std::move(*archive_index);
  const std::string archive_root = config.state_dir + "/archive";
  if (Status recovered = RecoverOpenSegments(*node->archive_index_, archive_root); !recovered) {
    return recovered.error();
  }

  auto tls = signaling::EnsureTlsIdentity(config.state_dir + "/tls");
  if (!tls) return tls.error();
  node->tls_ = *tls;
  auto signer = signaling::LoadOrCreateTokenSigner(config.state_dir + "/token.key");
  if (!signer) return signer.error();
  node->signer_.emplace(std::move(*signer));

  media::ProgramConfig program_config = config.program;
  program_config.slate_title = node->conference_.title;
  auto program = media::Program::Create(program_config, *node, node->clock_);
  if (!program) return program.error();
  node->program_ = std::move(*program);
  auto sources = ingest::Ingest::Create(*node->program_, config.ingest, config.ice, *node);
  if (!sources) return sources.error();
  node->ingest_ = std::move(*sources);
  media::LoudnessTarget loudness;
  loudness.lufs = config.ingest.loudness_lufs;
  auto stage = floor::Stage::Create(*node->program_, config.floor, config.ice,
                                    config.ingest.normalize_loudness, loudness, *node);
  if (!stage) return stage.error();
  node->stage_ = std::move(*stage);
  Status started = node->program_->Start();
  if (!started) return started.error();
  node->ingest_->Start();
  node->stage_->Start();

  media::Program& program_ref = *node->program_;
  const media::IceConfig ice = config.ice;
  node->gateway_ = std::make_unique<signaling::Gateway>(
      node->conference_, *node->store_, *node->signer_,
      [&program_ref, ice](const std::string& name, media::PointSession::Listener& listener)
          -> Result<std::unique_ptr<media::PointSession>> {
        auto session = media::WebRtcPointSession::Create(program_ref, ice, listener, name);
        if (!session) return session.error();
        return std::unique_ptr<media::PointSession>(std::move(*session));
      },
      node->clock_, node->wall_clock_);
  if (Status cleared = node->gateway_->ClearStalePresence(); !cleared) return cleared.error();
  node->gateway_->set_health_thresholds(config.health);
  node->gateway_->set_connection_limits(config.limits);

  Node* self = node.get();
  node->recording_ = std::make_unique<ArchiveRecording>(
      *node->program_, *node->archive_index_, archive_root, node->conference_, node->wall_clock_,
      [self](const std::string& message) { self->OnRecordingFailed(message); });
  node->gateway_->set_on_change([self] {
    self->FollowRecording();
    self->FollowSource();
  });
  ingest::Ingest& sources_ref = *node->ingest_;
  floor::Stage& stage_ref = *node->stage_;
  node->gateway_->set_uplink(
      [&stage_ref](const agenda::BridgePointSpec& point, media::PointSession::Listener& listener) {
        return stage_ref.Open(point.id, point.name, listener);
      });
  node->gateway_->set_program(
      {[self] { return self->ProgramStatus(); },
       [&sources_ref](std::string_view id) { return sources_ref.Has(id); }});
  using signaling::WhipEndpoint;
  node->gateway_->set_whip(
      {[&sources_ref](std::string_view id) -> std::optional<std::string> {
         const ingest::WhipSource* whip = sources_ref.Whip(id);
         if (!whip) return std::nullopt;
         return whip->id();
       },
       [&sources_ref](const std::string& id, std::string sdp, WhipEndpoint::AnswerDone done) {
         sources_ref.Whip(id)->Offer(std::move(sdp),
                                     [done = std::move(done)](Result<ingest::WhipAnswer> answer) {
                                       if (!answer) return done(answer.error());
                                       done(WhipEndpoint::Answer{answer->session, answer->sdp});
                                     });
       },
       [&sources_ref](const std::string& id, std::string_view session) {
         ingest::WhipSource* whip = sources_ref.Whip(id);
         return whip && whip->End(session);
       }});
  // After a restart the replayed journal may say "recording": a new run.
  node->FollowRecording();
  node->FollowSource();

  signaling::ServerConfig server_config;
  server_config.address = config.listen.host;
  server_config.port = config.listen.port;
  server_config.tls = node->tls_;
  auto server = signaling::Server::Create(loop, server_config, *node->gateway_);
  if (!server) return server.error();
  node->server_ = std::move(*server);
  node->gateway_->set_sink(node->server_.get());
  node->gateway_->set_responder([self](signaling::HttpExchangeId exchange,
                                       signaling::HttpResponse response) {
    return self->server_->Respond(exchange, std::move(response));
  });
  node->base_url_ = !config.public_url.empty()
                        ? config.public_url
                        : "https://" + UrlHost(config.listen.host) + ":" +
                              std::to_string(node->server_->port());
  const std::string session = node->conference_.id;
  node->archive_http_ = std::make_unique<signaling::ArchiveHttp>(
      *node->store_, *node->archive_index_, archive_root, *node->signer_,
      signaling::ArchiveHttp::Recording{
          session, [self] { return self->recording_->StatusJson(); },
          [self, session](std::string_view id) {
            return id == session && self->recording_->active();
          }},
      node->base_url_);
  node->gateway_->set_archive(node->archive_http_.get());
  node->gateway_->set_join_links([self] { return self->join_links_; });
  node->silent_timer_ = g_timeout_add_seconds(
      1,
      [](gpointer data) -> gboolean {
        static_cast<Node*>(data)->gateway_->CloseSilent();
        return G_SOURCE_CONTINUE;
      },
      self);
  // Staff consoles get link health pushed at the rate the sessions refresh it.
  node->stats_timer_ = g_timeout_add(
      2000,
      [](gpointer data) -> gboolean {
        auto* node_self = static_cast<Node*>(data);
        node_self->gateway_->PushStats(node_self->program_->KeyframeAge());
        return G_SOURCE_CONTINUE;
      },
      self);
  return node;
}

Node::~Node() {
  if (stats_timer_) g_source_remove(stats_timer_);
  if (silent_timer_) g_source_remove(silent_timer_);
  if (gateway_) gateway_->CloseAll();
  server_.reset();
  gateway_.reset();
  archive_http_.reset();
  // Without Shutdown, the segment being written is cut here as in a
  // crash; the next start measures it.
  recording_.reset();
  stage_.reset();
  ingest_.reset();
  program_.reset();
  archive_index_.reset();
  store_.reset();
}

Status Node::WriteLinks() {
  const int64_t now = UnixNow();
  join_links_ = JoinLinks(conference_, *signer_, base_url_, tls_.sha256_fingerprint, now);
  Status links =
      WritePrivateFile(config_.state_dir + "/join-links.json", join_links_.dump(1) + "\n");
  if (!links) return links;
  return WritePrivateFile(
      config_.state_dir + "/operator-token",
      signer_->Sign({conference_.id, signaling::Role::kOperator, "", now}) + "\n");
}

void Node::Shutdown(std::chrono::milliseconds limit) {
  gateway_->CloseAll();
  if (recording_->idle()) return;
  recording_->Follow(false, 0);  // the label only matters to a start
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!recording_->idle() && std::chrono::steady_clock::now() < deadline) {
    g_main_context_iteration(nullptr, FALSE);
    g_usleep(1000);
  }
  if (!recording_->idle()) spdlog::warn("archive: the last segment did not close in time");
}

void Node::FollowRecording() {
  const agenda::ConferenceState& state = store_->Find(conference_.id)->state();
  recording_->Follow(state.recording_since.has_value(), state.rehearsals);
}

void Node::FollowSource() {
  const std::string& source = store_->Find(conference_.id)->state().program_source;
  // A source the config no longer declares stays off; the configured one plays.
  if (!source.empty() && source != ingest_->selected() && ingest_->Has(source)) {
    ingest_->Select(source);
  }
}

void Node::OnIngestChanged() {
  if (gateway_) gateway_->PushProgram();
}

void Node::OnFloorChanged() {
  if (gateway_) gateway_->PushProgram();
}

nlohmann::json Node::ProgramStatus() const {
  nlohmann::json status = ingest_->Status();
  status["floor"] = stage_->Status();
  return status;
}

void Node::OnRecordingFailed(const std::string& message) {
  // Journaled and broadcast, so the chair and the operator see it.
  gateway_->ExecuteSystem(agenda::cmd::FailRecording{message});
}

void Node::OnProgramError(const std::string& message) {
  spdlog::critical("program failed, stopping: {}", message);
  failed_ = true;
  g_main_loop_quit(loop_);
}

}  // namespace bridgecast::app
