#include "signaling/gateway.hpp"

#include <glib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "agenda/attendance_report.hpp"
#include "agenda/command_json.hpp"
#include "agenda/conference_view.hpp"
#include "agenda/errors.hpp"
#include "agenda/event_json.hpp"
#include "base/embedded.hpp"
#include "signaling/server_message.hpp"

namespace bridgecast::signaling {
namespace {

constexpr int kFatalCloseCode = 4000;

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return HttpResponse{status, "application/json", body.dump(), false};
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"code", code}, {"message", message}});
}

std::string_view ContentType(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::optional<HttpResponse> StaticFile(std::string_view path) {
  std::string file;
  if (path == "/" || path == "/index.html") {
    file = "web/index.html";
  } else if (path == "/join") {
    file = "web/join.html";
  } else if (path == "/console") {
    file = "web/console.html";
  } else if (path == "/operator") {
    file = "web/operator.html";
  } else if (path.starts_with("/static/") && path.find("..") == std::string_view::npos) {
    file = "web" + std::string(path);
  } else {
    return std::nullopt;
  }
  const auto data = embedded::Find(file);
  if (!data) return std::nullopt;
  return HttpResponse{200, std::string(ContentType(file)), std::string(*data), true};
}

constexpr std::string_view kWhipPrefix = "/whip/";

// WHIP takes no trickle candidates and no ICE restart (PATCH): a publisher
// that needs either offers again.
HttpResponse WhipMethodRefused() {
  HttpResponse refused = ErrorResponse(405, "method_not_allowed",
                                       "WHIP here takes POST (an offer) and DELETE (a session); "
                                       "no trickle ICE or ICE restart");
  refused.headers = {{"Allow", "POST, DELETE"}};
  return refused;
}

int WhipStatus(std::string_view code) {
  if (code == "bad_sdp") return 400;
  if (code == "unsupported_codec") return 406;
  if (code == "busy") return 409;
  return 500;
}

// "application/sdp", any case, parameters allowed.
bool IsSdp(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (type.ends_with(' ')) type.remove_suffix(1);
  constexpr std::string_view kSdp = "application/sdp";
  return type.size() == kSdp.size() &&
         g_ascii_strncasecmp(type.data(), kSdp.data(), kSdp.size()) == 0;
}

agenda::Actor ActorFor(const TokenClaims& claims) {
  switch (claims.role) {
    case Role::kChair: return agenda::Actor::Chair();
    case Role::kOperator: return agenda::Actor::Operator();
    case Role::kPoint: return agenda::Actor::Point(claims.point);
    case Role::kObserver: return agenda::Actor::Observer();
    // A reviewer reads the archive; on the socket it only watches.
    case Role::kReviewer: return agenda::Actor::Observer();
    // Refused at hello: it only publishes over WHIP.
    case Role::kPublisher: break;
  }
  return agenda::Actor::Observer();
}

}  // namespace

class Gateway::Peer final : public media::PointSession::Listener {
  // First: the uplink's listener below is made from them.
  Gateway& gateway_;
  ConnectionId id_;

 public:
  Peer(Gateway& gateway, ConnectionId id) : gateway_(gateway), id_(id) {}

  void OnLocalOffer(const std::string& sdp) override {
    gateway_.sink_->Send(id_, server_message::Offer(sdp));
  }
  void OnLocalCandidate(unsigned mline_index, const std::string& candidate) override {
    gateway_.sink_->Send(id_, server_message::Ice(mline_index, candidate));
  }
  void OnLinkStateChanged(media::LinkState state) override {
    spdlog::info("{}: media {}", actor->role == agenda::Role::kPoint ? actor->point : "preview",
                 media::ToString(state));
    gateway_.sink_->Send(id_, server_message::State(media::ToString(state)));
  }

  ConnectionId id() const { return id_; }

  // The floor's uplink speaks the same messages with the `uplink_` prefix.
  class UplinkListener final : public media::PointSession::Listener {
   public:
    UplinkListener(Gateway& gateway, ConnectionId id) : gateway_(gateway), id_(id) {}
    void OnLocalOffer(const std::string& sdp) override {
      gateway_.sink_->Send(id_, server_message::Offer(sdp, true));
    }
    void OnLocalCandidate(unsigned mline_index, const std::string& candidate) override {
      gateway_.sink_->Send(id_, server_message::Ice(mline_index, candidate, true));
    }
    void OnLinkStateChanged(media::LinkState state) override {
      spdlog::info("connection {}: uplink {}", id_, media::ToString(state));
      gateway_.sink_->Send(id_, server_message::State(media::ToString(state), true));
    }

   private:
    Gateway& gateway_;
    ConnectionId id_;
  };

  std::optional<agenda::Actor> actor;  // set once authenticated; cleared when replaced
  std::unique_ptr<media::PointSession> session;
  UplinkListener uplink_listener{gateway_, id_};
  std::unique_ptr<media::PointSession> uplink;
  // The grant the uplink was opened (or refused) for: not opened twice.
  std::optional<agenda::Timestamp> uplink_grant;
  TimePoint opened;
  int errors = 0;       // protocol errors so far (ConnectionLimits::max_errors)
  bool closing = false;  // a fatal error was sent; the close is under way
};

Gateway::Gateway(const agenda::ConferenceSpec& conference, agenda::ConferenceStore& store,
                 const TokenSigner& signer, SessionFactory session_factory, const Clock& clock,
                 const agenda::WallClock& wall_clock)
    : conference_(conference),
      store_(store),
      signer_(signer),
      session_factory_(std::move(session_factory)),
      clock_(clock),
      wall_clock_(wall_clock),
      started_(clock.Now()) {}

Gateway::~Gateway() = default;

const agenda::Conference& Gateway::conference_state() const {
  return *store_.Find(conference_.id);
}

Status Gateway::ClearStalePresence() {
  const agenda::ConferenceState& state = conference_state().state();
  for (size_t i = 0; i < conference_.points.size(); ++i) {
    if (!state.points[i].connected_since) continue;
    auto events = store_.Execute(conference_.id, agenda::cmd::LeavePoint{conference_.points[i].id},
                                 agenda::Actor::System(), wall_clock_.Now());
    if (!events) return events.error();
    spdlog::info("point {}: marked as left (connected when the node last stopped)",
                 conference_.points[i].id);
  }
  return Ok{};
}

void Gateway::CloseAll() {
  for (const auto& [point, id] : by_point_) {
    // Nobody is left to tell; the journal still needs the time they left.
    auto left = store_.Execute(conference_.id, agenda::cmd::LeavePoint{point},
                               agenda::Actor::System(), wall_clock_.Now());
    if (!left) spdlog::warn("point {}: leave not journaled: {}", point, left.error().message);
  }
  by_point_.clear();
  for (auto& [id, peer] : peers_) {
    peer->uplink.reset();
    peer->session.reset();
    peer->actor.reset();
    sink_->Close(id, 1001, "node shutting down");
  }
}

size_t Gateway::points_connected() const {
  size_t n = 0;
  for (const auto& [point, id] : by_point_) {
    const Peer& peer = *peers_.at(id);
    if (peer.session && peer.session->link_state() == media::LinkState::kConnected) ++n;
  }
  return n;
}

void Gateway::SendError(ConnectionId id, const Error& error, bool fatal) {
  auto it = peers_.find(id);
  if (it != peers_.end()) {
    Peer& peer = *it->second;
    if (peer.closing) return;
    // A client that keeps sending what the node cannot take is cut off.
    if (!fatal && ++peer.errors > limits_.max_errors) {
      return SendError(id,
                       {"too_many_errors", "more than " + std::to_string(limits_.max_errors) +
                                               " protocol errors: " + error.code},
                       true);
    }
    peer.closing = fatal;
  }
  sink_->Send(id, server_message::Error(error.code, error.message, fatal));
  if (fatal) sink_->Close(id, kFatalCloseCode, error.code);
}

void Gateway::OnSocketOpen(ConnectionId id) {
  auto peer = std::make_unique<Peer>(*this, id);
  peer->opened = clock_.Now();
  peers_[id] = std::move(peer);
}

void Gateway::CloseSilent() {
  const TimePoint now = clock_.Now();
  std::vector<ConnectionId> silent;
  for (const auto& [id, peer] : peers_) {
    if (!peer->actor && !peer->closing && now - peer->opened >= limits_.hello_timeout) {
      silent.push_back(id);
    }
  }
  for (ConnectionId id : silent) {
    SendError(id, {"hello_timeout", "no hello within " +
                                        std::to_string(limits_.hello_timeout.count()) + " ms"},
              true);
  }
}

void Gateway::OnSocketOversize(ConnectionId id) {
  SendError(id, Error{"message_too_large", "messages are limited to 64 KiB"}, true);
}

void Gateway::OnSocketBinary(ConnectionId id) {
  SendError(id, {"binary_frame", "messages are JSON in text frames"}, false);
}

void Gateway::OnSocketClosed(ConnectionId id) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  std::string left;
  if (const auto& actor = it->second->actor; actor && actor->role == agenda::Role::kPoint) {
    auto point = by_point_.find(actor->point);
    if (point != by_point_.end() && point->second == id) {
      left = actor->point;
      by_point_.erase(point);
    }
  }
  peers_.erase(it);  // before the broadcast: this socket is gone
  if (!left.empty()) {
    spdlog::info("point {}: left", left);
    ExecuteSystem(agenda::cmd::LeavePoint{left});
  }
}

void Gateway::OnSocketMessage(ConnectionId id, std::string_view text) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer& peer = *it->second;
  auto message = ParseClientMessage(text);
  if (!message) return SendError(id, message.error(), false);
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, HelloMessage>) {
          if (peer.actor) {
            return SendError(id, {"already_authenticated", "hello was already accepted"}, false);
          }
          OnHello(peer, m);
        } else if constexpr (std::is_same_v<T, CommandMessage>) {
          OnCommand(peer, m);
        } else {
          if (!peer.actor) {
            return SendError(id, {"not_authenticated", "send hello with a token first"}, false);
          }
          if (m.uplink) return OnUplinkMessage(peer, *message);
          if (!peer.session) {
            return SendError(id, {"bad_sdp", "this connection has no media session"}, false);
          }
          Status s = Ok{};
          if constexpr (std::is_same_v<T, AnswerMessage>) {
            s = peer.session->SetRemoteAnswer(m.sdp);
          } else {
            s = peer.session->AddRemoteCandidate(m.mline_index, m.candidate);
          }
          if (!s) SendError(id, s.error(), false);
        }
      },
      *message);
}

void Gateway::OnHello(Peer& peer, const HelloMessage& hello) {
  const ConnectionId id = peer.id();
  auto claims = signer_.Verify(hello.token);
  if (!claims) return SendError(id, claims.error(), true);
  if (claims->conference != conference_.id) {
    return SendError(id, {"wrong_conference", "the token is for another conference"}, true);
  }
  if (claims->role == Role::kPublisher) {
    return SendError(id, {"forbidden", "a publisher token is for WHIP only"}, true);
  }
  const agenda::BridgePointSpec* point = nullptr;
  bool first_connection = false;
  if (claims->role == Role::kPoint) {
    point = conference_.FindPoint(claims->point);
    if (!point) {
      return SendError(
          id, {"unknown_point", "point '" + claims->point + "' is not in the roster"}, true);
    }
    if (auto old = by_point_.find(point->id); old != by_point_.end()) {
      // Presence carries over to the new connection: no leave, no join.
      spdlog::info("point {}: new connection replaces the old one", point->id);
      Peer& old_peer = *peers_.at(old->second);
      old_peer.uplink.reset();
      old_peer.session.reset();
      old_peer.actor.reset();
      SendError(old->second, {"replaced", "another connection joined as this point"}, true);
    } else {
      first_connection = true;
    }
    by_point_[point->id] = id;
  }
  peer.actor = ActorFor(*claims);
  const std::string session_id =
      (point ? point->id : std::string(ToString(claims->role))) + "/" + std::to_string(id);
  sink_->Send(id, server_message::Welcome(conference_.id, conference_.title,
                                          ToString(claims->role), point, session_id));
  SendInitialState(peer, hello.last_seq);
  const bool staff = claims->role == Role::kChair || claims->role == Role::kOperator;
  if (staff && program_.status) sink_->Send(id, server_message::Program(program_.status()));
  // The chair's console and the operator's board may watch the program too:
  // a media session like a point's, but no presence and no place in /api/points.
  const bool preview = hello.preview && staff;
  if (!point && !preview) return;
  if (point && first_connection) {
    spdlog::info("point {}: joined", point->id);
    ExecuteSystem(agenda::cmd::JoinPoint{point->id});
  }
  auto session = session_factory_(
      (point ? point->id : std::string(ToString(claims->role))) + "-" + std::to_string(id), peer);
  if (!session) return SendError(id, {"media_failed", session.error().message}, true);
  peer.session = std::move(*session);
  // A point that holds the floor and comes back (a new socket) speaks again.
  if (point) SyncUplinks({});
}

void Gateway::SyncUplinks(const std::vector<agenda::Event>& events) {
  if (!uplink_factory_) return;
  const auto& floor = conference_state().state().floor;
  Peer* holder = nullptr;
  if (floor) {
    if (auto it = by_point_.find(floor->point); it != by_point_.end()) {
      holder = peers_.at(it->second).get();
    }
  }
  std::string reason = "revoked";
  for (const agenda::Event& event : events) {
    if (const auto* revoked = std::get_if<agenda::ev::FloorRevoked>(&event.payload)) {
      reason = revoked->reason;
    } else if (std::holds_alternative<agenda::ev::FloorGranted>(event.payload)) {
      reason = "granted";
    }
  }
  for (auto& [id, peer] : peers_) {
    if (peer.get() != holder && (peer->uplink || peer->uplink_grant)) {
      CloseUplink(*peer, reason);
    }
  }
  if (!holder || holder->uplink || holder->uplink_grant == floor->since) return;
  holder->uplink_grant = floor->since;
  const agenda::BridgePointSpec* spec = conference_.FindPoint(floor->point);
  auto uplink = uplink_factory_(*spec, holder->uplink_listener);
  if (!uplink) {
    spdlog::warn("point {}: no uplink: {}", floor->point, uplink.error().message);
    sink_->Send(holder->id(), server_message::UplinkClose("media_failed"));
    return;
  }
  spdlog::info("point {}: holds the floor, uplink offered", floor->point);
  holder->uplink = std::move(*uplink);
}

void Gateway::CloseUplink(Peer& peer, std::string_view reason) {
  peer.uplink_grant.reset();
  if (!peer.uplink) return;
  peer.uplink.reset();
  sink_->Send(peer.id(), server_message::UplinkClose(reason));
}

void Gateway::OnUplinkMessage(Peer& peer, const ClientMessage& message) {
  if (!peer.uplink) {
    return SendError(peer.id(), {"no_uplink", "this connection has no uplink offer (the floor "
                                              "is not this point's)"},
                     false);
  }
  Status s = Ok{};
  if (const auto* answer = std::get_if<AnswerMessage>(&message)) {
    s = peer.uplink->SetRemoteAnswer(answer->sdp);
  } else {
    const auto& ice = std::get<IceMessage>(message);
    s = peer.uplink->AddRemoteCandidate(ice.mline_index, ice.candidate);
  }
  if (s) return;
  SendError(peer.id(), s.error(), false);
  if (s.error().code == "unsupported_codec") {
    // Refused for this grant: not offered again until the next one.
    peer.uplink.reset();
    sink_->Send(peer.id(), server_message::UplinkClose("unsupported_codec"));
  }
}

void Gateway::SendInitialState(Peer& peer, std::optional<std::uint64_t> last_seq) {
  const std::uint64_t head = store_.LastSeq(conference_.id);
  if (last_seq && *last_seq <= head && head - *last_seq <= kMaxResumeEvents) {
    auto missed = store_.EventsAfter(conference_.id, *last_seq);
    if (missed) {
      for (const agenda::Event& event : *missed) {
        if (agenda::IsVisibleTo(event, *peer.actor)) {
          sink_->SendState(peer.id(), server_message::Event(agenda::ToJson(event)));
        }
      }
      return;
    }
    spdlog::warn("resume from seq {} failed, sending a snapshot: {}", *last_seq,
                 missed.error().message);
  }
  sink_->SendState(peer.id(),
                   server_message::Snapshot(head, agenda::Snapshot(conference_state(), *peer.actor,
                                                                   wall_clock_.Now())));
}

void Gateway::OnCommand(Peer& peer, const CommandMessage& message) {
  const ConnectionId id = peer.id();
  if (!peer.actor) {
    return sink_->Send(id, server_message::CommandError(message.id, "not_authenticated",
                                                        "send hello with a token first"));
  }
  auto command = agenda::CommandFromJson(message.command);
  if (!command) {
    return sink_->Send(id, server_message::CommandError(message.id, command.error().code,
                                                        command.error().message));
  }
  if (const auto* select = std::get_if<agenda::cmd::SelectSource>(&*command);
      select && program_.has_source && !program_.has_source(select->source)) {
    return sink_->Send(id, server_message::CommandError(message.id, "unknown_source",
                                                        "no source '" + select->source + "'"));
  }
  const std::uint64_t head = store_.LastSeq(conference_.id);
  auto events = Execute(*command, *peer.actor);
  if (!events) {
    return sink_->Send(
        id, server_message::CommandError(message.id, events.error().code, events.error().message));
  }
  // Not the head now: on_change_ may have journaled more (e.g. recording.fail).
  sink_->Send(id, server_message::Ack(message.id, events->empty() ? head : events->back().seq));
}

Result<std::vector<agenda::Event>> Gateway::Execute(const agenda::Command& command,
                                                    const agenda::Actor& actor) {
  auto events = store_.Execute(conference_.id, command, actor, wall_clock_.Now());
  if (!events) return events;
  Broadcast(*events);
  SyncUplinks(*events);
  if (on_change_) on_change_();
  return events;
}

void Gateway::ExecuteSystem(const agenda::Command& command) {
  auto events = Execute(command, agenda::Actor::System());
  if (!events) {
    spdlog::warn("{} not journaled: {} ({})", agenda::ToJson(command).dump(),
                 events.error().message, events.error().code);
  }
}

void Gateway::Broadcast(const std::vector<agenda::Event>& events) {
  for (const agenda::Event& event : events) {
    const std::string frame = server_message::Event(agenda::ToJson(event));
    for (const auto& [id, peer] : peers_) {
      if (peer->actor && agenda::IsVisibleTo(event, *peer->actor)) sink_->Send(id, frame);
    }
  }
}

HttpResponse Gateway::OnHttpRequest(const HttpRequest& request) {
  if (auto whip = Whip(request)) return *whip;
  if (request.path == "/api/program/source") return SelectSource(request);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse refused = ErrorResponse(405, "method_not_allowed", "only GET is served");
    refused.headers = {{"Allow", "GET, HEAD"}};
    return refused;
  }
  if (request.path == "/healthz") {
    const auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - started_).count();
    return JsonResponse(200, {{"status", "ok"},
                              {"points_joined", points_joined()},
                              {"points_connected", points_connected()},
                              {"uptime_s", uptime}});
  }
  const bool points = request.path == "/api/points";
  const bool attendance_json = request.path == "/api/attendance.json";
  const bool attendance_csv = request.path == "/api/attendance.csv";
  if (points || attendance_json || attendance_csv) {
    if (auto refused = RequireStaff(request)) return *refused;
    return points ? PointsReport() : AttendanceReport(attendance_csv);
  }
  if (request.path == "/api/program") {
    if (auto refused = RequireStaff(request)) return *refused;
    if (!program_.status) return ErrorResponse(404, "not_found", "no program sources");
    return JsonResponse(200, program_.status());
  }
  if (request.path == "/api/join-links") {
    // Every point's token: for the technical operator who hands them out.
    if (auto refused = RequireStaff(request, true)) return *refused;
    nlohmann::json links = join_links_ ? join_links_() : nlohmann::json();
    if (links.is_null()) return ErrorResponse(404, "not_found", "no join links yet");
    return JsonResponse(200, links);
  }
  if (archive_) {
    if (auto answer = archive_->Handle(request)) return *answer;
  }
  if (auto file = StaticFile(request.path)) return *file;
  return ErrorResponse(404, "not_found", "no such page");
}

HttpResponse Gateway::SelectSource(const HttpRequest& request) {
  if (request.method != "POST") {
    HttpResponse refused = ErrorResponse(405, "method_not_allowed", "POST {\"source\":ID}");
    refused.headers = {{"Allow", "POST"}};
    return refused;
  }
  if (auto refused = RequireStaff(request)) return *refused;
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.size() != 1 || !body.contains("source") ||
      !body["source"].is_string()) {
    return ErrorResponse(400, "bad_command", "the body must be {\"source\":\"<id>\"}");
  }
  const std::string source = body["source"];
  if (!program_.has_source || !program_.has_source(source)) {
    return ErrorResponse(404, "unknown_source", "no source '" + source + "'");
  }
  auto claims = signer_.Verify(std::string_view(request.authorization).substr(7));
  auto events = Execute(agenda::cmd::SelectSource{source}, ActorFor(*claims));
  if (!events) {
    return ErrorResponse(events.error().code == "forbidden" ? 403 : 400, events.error().code,
                         events.error().message);
  }
  nlohmann::json answer = program_.status ? program_.status() : nlohmann::json::object();
  answer["seq"] = events->empty() ? store_.LastSeq(conference_.id) : events->back().seq;
  return JsonResponse(200, answer);
}

std::optional<HttpResponse> Gateway::RequireToken(const HttpRequest& request,
                                                  const std::function<bool(Role)>& allowed,
                                                  std::string_view refusal) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (!request.authorization.starts_with(kBearer)) {
    return ErrorResponse(401, "bad_token", "send Authorization: Bearer <token>");
  }
  auto claims = signer_.Verify(std::string_view(request.authorization).substr(kBearer.size()));
  if (!claims) return ErrorResponse(401, claims.error().code, claims.error().message);
  if (claims->conference != conference_.id || !allowed(claims->role)) {
    return ErrorResponse(403, "forbidden", refusal);
  }
  return std::nullopt;
}

std::optional<HttpResponse> Gateway::RequireStaff(const HttpRequest& request,
                                                  bool operator_only) const {
  return RequireToken(
      request,
      [operator_only](Role role) {
        return role == Role::kOperator || (!operator_only && role == Role::kChair);
      },
      operator_only ? "this is for the operator" : "this is for the chair and the operator");
}

std::optional<HttpResponse> Gateway::Whip(const HttpRequest& request) {
  std::string_view rest = request.path;
  if (!rest.starts_with(kWhipPrefix)) return std::nullopt;
  rest.remove_prefix(kWhipPrefix.size());
  // <conference>[/<source>[/<session>]]
  std::vector<std::string> parts;
  for (size_t slash; (slash = rest.find('/')) != std::string_view::npos;) {
    parts.emplace_back(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  parts.emplace_back(rest);
  const bool well_formed =
      parts.size() <= 3 &&
      std::none_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
  if (!well_formed || parts[0] != conference_.id) {
    return ErrorResponse(404, "not_found", "no WHIP endpoint here");
  }
  if (request.method == "OPTIONS") {
    HttpResponse options{204, "application/sdp", "", false};
    options.headers = {{"Accept-Post", "application/sdp"}, {"Allow", "POST, DELETE, OPTIONS"}};
    return options;
  }
  if (auto refused = RequireToken(
          request, [](Role role) { return role == Role::kPublisher; },
          "this is for a publisher token of this conference")) {
    return *refused;
  }
  const std::optional<std::string> source =
      whip_.find ? whip_.find(parts.size() > 1 ? parts[1] : "") : std::nullopt;
  if (!source) return ErrorResponse(404, "not_found", "no such WHIP source");
  if (parts.size() == 3) {
    if (request.method != "DELETE") return WhipMethodRefused();
    if (!whip_.end(*source, parts[2])) {
      return ErrorResponse(404, "not_found", "no such publisher session");
    }
    return JsonResponse(200, {{"ended", parts[2]}});
  }
  if (request.method != "POST") return WhipMethodRefused();
  if (!IsSdp(request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type", "send the offer as application/sdp");
  }
  return WhipOffer(request, *source);
}

HttpResponse Gateway::WhipOffer(const HttpRequest& request, const std::string& source) {
  // The answer comes at once when the offer is refused, else after ICE
  // gathering: then the exchange is answered later.
  struct Pending {
    bool deferred = false;
    std::optional<HttpResponse> now;
  };
  auto pending = std::make_shared<Pending>();
  const std::string location = std::string(kWhipPrefix) + conference_.id + "/" + source + "/";
  whip_.offer(
      source, request.body,
      [this, alive = std::weak_ptr<char>(alive_), pending, exchange = request.exchange, source,
       location](Result<WhipEndpoint::Answer> answer) {
        HttpResponse response;
        if (answer) {
          response = HttpResponse{201, "application/sdp", answer->sdp, false};
          response.headers = {{"Location", location + answer->session}};
        } else {
          response = ErrorResponse(WhipStatus(answer.error().code), answer.error().code,
                                   answer.error().message);
        }
        if (!pending->deferred) {
          pending->now = std::move(response);
          return;
        }
        if (alive.expired()) return;
        // The publisher gave up waiting: nobody will use that session.
        if ((!respond_ || !respond_(exchange, std::move(response))) && answer) {
          whip_.end(source, answer->session);
        }
      });
  if (pending->now) return std::move(*pending->now);
  pending->deferred = true;
  HttpResponse later;
  later.deferred = true;
  return later;
}

HttpResponse Gateway::AttendanceReport(bool csv) const {
  const agenda::AttendanceReport report =
      agenda::BuildAttendanceReport(conference_state(), wall_clock_.Now());
  if (csv) return HttpResponse{200, "text/csv; charset=utf-8", agenda::ToCsv(report), false};
  return JsonResponse(200, agenda::ToJson(report));
}

nlohmann::json Gateway::PointHealth(const agenda::BridgePointSpec& spec) const {
  nlohmann::json entry = {{"point", spec.id}, {"connected", false}, {"state", "absent"}};
  auto it = by_point_.find(spec.id);
  if (it == by_point_.end()) return entry;
  const Peer& peer = *peers_.at(it->second);
  if (!peer.session) return entry;
  const media::PointStats& s = peer.session->stats();
  const media::LinkState state = peer.session->link_state();
  entry["connected"] = state == media::LinkState::kConnected;
  entry["state"] = media::ToString(state);
  entry["packets_sent"] = s.packets_sent;
  entry["bytes_sent"] = s.bytes_sent;
  entry["packets_lost"] = s.packets_lost;
  entry["fraction_lost"] = s.fraction_lost;
  entry["jitter_ms"] = s.jitter.count() / 1000.0;
  entry["rtt_ms"] = s.round_trip.count() / 1000.0;
  entry["nacks_received"] = s.nacks_received;
  entry["plis_received"] = s.plis_received;
  return entry;
}

HttpResponse Gateway::PointsReport() const {
  nlohmann::json points = nlohmann::json::array();
  for (const agenda::BridgePointSpec& spec : conference_.points) {
    nlohmann::json entry = PointHealth(spec);
    entry["name"] = spec.name;
    points.push_back(std::move(entry));
  }
  return JsonResponse(200, {{"points", std::move(points)}});
}

std::vector<ConnectionId> Gateway::StaffConnections() const {
  std::vector<ConnectionId> staff;
  for (const auto& [id, peer] : peers_) {
    if (peer->actor && (peer->actor->role == agenda::Role::kChair ||
                        peer->actor->role == agenda::Role::kOperator)) {
      staff.push_back(id);
    }
  }
  return staff;
}

void Gateway::PushProgram() {
  if (!program_.status || !sink_) return;
  const std::vector<ConnectionId> staff = StaffConnections();
  if (staff.empty()) return;
  const std::string frame = server_message::Program(program_.status());
  for (ConnectionId id : staff) sink_->Send(id, frame);
}

void Gateway::PushStats(std::optional<std::chrono::milliseconds> keyframe_age) {
  const std::vector<ConnectionId> staff = StaffConnections();
  // Nobody to show it to: no report to build (the rate then spans the gap).
  if (staff.empty()) return;
  const TimePoint now = clock_.Now();
  nlohmann::json points = nlohmann::json::array();
  for (const agenda::BridgePointSpec& spec : conference_.points) {
    nlohmann::json entry = PointHealth(spec);
    if (entry.contains("bytes_sent")) {
      const std::uint64_t bytes = entry["bytes_sent"];
      double kbps = 0;
      // A new session starts its counters at 0: no rate until two samples.
      if (auto last = last_sent_.find(spec.id);
          last != last_sent_.end() && bytes >= last->second.bytes && now > last->second.at) {
        const double seconds = std::chrono::duration<double>(now - last->second.at).count();
        kbps = static_cast<double>(bytes - last->second.bytes) * 8 / 1000 / seconds;
      }
      entry["kbps"] = kbps;
      last_sent_[spec.id] = {bytes, now};
    } else {
      last_sent_.erase(spec.id);
    }
    points.push_back(std::move(entry));
  }
  const std::string frame = server_message::Stats(
      agenda::ToUnixMillis(wall_clock_.Now()),
      keyframe_age ? nlohmann::json(keyframe_age->count()) : nlohmann::json(nullptr),
      ToJson(thresholds_), std::move(points));
  for (ConnectionId id : staff) sink_->Send(id, frame);
}

}  // namespace bridgecast::signaling
