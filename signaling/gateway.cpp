#include "signaling/gateway.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <variant>

#include "base/embedded.hpp"
#include "signaling/client_message.hpp"
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
  } else if (path.starts_with("/static/") && path.find("..") == std::string_view::npos) {
    file = "web" + std::string(path);
  } else {
    return std::nullopt;
  }
  const auto data = embedded::Find(file);
  if (!data) return std::nullopt;
  return HttpResponse{200, std::string(ContentType(file)), std::string(*data), true};
}

}  // namespace

class Gateway::Peer final : public media::PointSession::Listener {
 public:
  Peer(Gateway& gateway, ConnectionId id) : gateway_(gateway), id_(id) {}

  void OnLocalOffer(const std::string& sdp) override {
    gateway_.sink_->Send(id_, server_message::Offer(sdp));
  }
  void OnLocalCandidate(unsigned mline_index, const std::string& candidate) override {
    gateway_.sink_->Send(id_, server_message::Ice(mline_index, candidate));
  }
  void OnLinkStateChanged(media::LinkState state) override {
    spdlog::info("point {}: media {}", point, media::ToString(state));
    gateway_.sink_->Send(id_, server_message::State(media::ToString(state)));
  }

  ConnectionId id() const { return id_; }

  std::string point;  // set once authenticated
  std::unique_ptr<media::PointSession> session;

 private:
  Gateway& gateway_;
  ConnectionId id_;
};

Gateway::Gateway(const agenda::ConferenceSpec& conference, const TokenSigner& signer,
                 SessionFactory session_factory, const Clock& clock)
    : conference_(conference),
      signer_(signer),
      session_factory_(std::move(session_factory)),
      clock_(clock),
      started_(clock.Now()) {}

Gateway::~Gateway() = default;

void Gateway::CloseAll() {
  for (auto& [id, peer] : peers_) {
    peer->session.reset();
    sink_->Close(id, 1001, "node shutting down");
  }
  by_point_.clear();
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
  sink_->Send(id, server_message::Error(error.code, error.message, fatal));
  if (fatal) sink_->Close(id, kFatalCloseCode, error.code);
}

void Gateway::OnSocketOpen(ConnectionId id) { peers_[id] = std::make_unique<Peer>(*this, id); }

void Gateway::OnSocketOversize(ConnectionId id) {
  SendError(id, Error{"message_too_large", "messages are limited to 64 KiB"}, true);
}

void Gateway::OnSocketClosed(ConnectionId id) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer& peer = *it->second;
  auto point = by_point_.find(peer.point);
  if (point != by_point_.end() && point->second == id) {
    spdlog::info("point {}: left", peer.point);
    by_point_.erase(point);
  }
  peers_.erase(it);
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
          if (!peer.point.empty()) {
            return SendError(id, {"already_authenticated", "hello was already accepted"}, false);
          }
          OnHello(peer, m.token);
        } else {
          if (peer.point.empty()) {
            return SendError(id, {"not_authenticated", "send hello with a token first"}, false);
          }
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

void Gateway::OnHello(Peer& peer, const std::string& token) {
  const ConnectionId id = peer.id();
  auto claims = signer_.Verify(token);
  if (!claims) return SendError(id, claims.error(), true);
  if (claims->role != Role::kPoint) {
    return SendError(id, {"bad_token", "only bridge-point tokens may join the media"}, true);
  }
  if (claims->conference != conference_.id) {
    return SendError(id, {"wrong_conference", "the token is for another conference"}, true);
  }
  const agenda::BridgePointSpec* point = conference_.FindPoint(claims->point);
  if (!point) {
    return SendError(id, {"unknown_point", "point '" + claims->point + "' is not in the roster"},
                     true);
  }
  if (auto old = by_point_.find(point->id); old != by_point_.end()) {
    spdlog::info("point {}: new connection replaces the old one", point->id);
    peers_.at(old->second)->session.reset();
    SendError(old->second, {"replaced", "another connection joined as this point"}, true);
    by_point_.erase(old);
  }
  peer.point = point->id;
  by_point_[point->id] = id;
  sink_->Send(id, server_message::Welcome(conference_.id, conference_.title, point->id,
                                          point->name, point->id + "/" + std::to_string(id)));
  auto session = session_factory_(point->id + "-" + std::to_string(id), peer);
  if (!session) return SendError(id, {"media_failed", session.error().message}, true);
  peer.session = std::move(*session);
  spdlog::info("point {}: joined", point->id);
}

HttpResponse Gateway::OnHttpRequest(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return ErrorResponse(405, "method_not_allowed", "only GET is served");
  }
  if (request.path == "/healthz") {
    const auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - started_).count();
    return JsonResponse(200, {{"status", "ok"},
                              {"points_joined", points_joined()},
                              {"points_connected", points_connected()},
                              {"uptime_s", uptime}});
  }
  if (request.path == "/api/points") return PointsReport(request);
  if (auto file = StaticFile(request.path)) return *file;
  return ErrorResponse(404, "not_found", "no such page");
}

HttpResponse Gateway::PointsReport(const HttpRequest& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (!request.authorization.starts_with(kBearer)) {
    return ErrorResponse(401, "bad_token", "send Authorization: Bearer <token>");
  }
  auto claims = signer_.Verify(std::string_view(request.authorization).substr(kBearer.size()));
  if (!claims) return ErrorResponse(401, claims.error().code, claims.error().message);
  if (claims->conference != conference_.id ||
      (claims->role != Role::kOperator && claims->role != Role::kChair)) {
    return ErrorResponse(403, "forbidden", "link health is for the chair and the operator");
  }
  nlohmann::json points = nlohmann::json::array();
  for (const agenda::BridgePointSpec& spec : conference_.points) {
    nlohmann::json entry = {{"point", spec.id}, {"name", spec.name}, {"connected", false},
                            {"state", "absent"}};
    if (auto it = by_point_.find(spec.id); it != by_point_.end()) {
      const Peer& peer = *peers_.at(it->second);
      if (peer.session) {
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
      }
    }
    points.push_back(std::move(entry));
  }
  return JsonResponse(200, {{"points", std::move(points)}});
}

}  // namespace bridgecast::signaling
