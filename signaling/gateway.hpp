#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agenda/actor.hpp"
#include "agenda/conference_spec.hpp"
#include "agenda/event.hpp"
#include "agenda/store/conference_store.hpp"
#include "agenda/wall_clock.hpp"
#include "base/clock.hpp"
#include "media/point_session.hpp"
#include "signaling/archive_http.hpp"
#include "signaling/client_message.hpp"
#include "signaling/connection_limits.hpp"
#include "signaling/health_thresholds.hpp"
#include "signaling/http.hpp"
#include "signaling/server.hpp"
#include "signaling/token.hpp"

namespace bridgecast::signaling {

// Creates the media link of one point; `name` is unique per connection.
using SessionFactory = std::function<Result<std::unique_ptr<media::PointSession>>(
    const std::string& name, media::PointSession::Listener& listener)>;

// Opens the floor's uplink of `point`, which holds the floor (docs/protocol.md,
// "The floor's uplink").
using UplinkFactory = std::function<Result<std::unique_ptr<media::PointSession>>(
    const agenda::BridgePointSpec& point, media::PointSession::Listener& listener)>;

// The program's WHIP sources (docs/protocol.md, "WHIP ingest"), as the node
// wires them; the gateway checks tokens and speaks HTTP.
struct WhipEndpoint {
  struct Answer {
    std::string session;
    std::string sdp;
  };
  using AnswerDone = std::function<void(Result<Answer>)>;
  // The id of the WHIP source `source` names (the first one if empty), or none.
  std::function<std::optional<std::string>(std::string_view source)> find;
  // Error codes: bad_sdp, unsupported_codec, busy, media_failed. `done` may
  // run before `offer` returns.
  std::function<void(const std::string& source, std::string sdp, AnswerDone done)> offer;
  // Ends the publisher's session; false if it is not the source's current one.
  std::function<bool(const std::string& source, std::string_view session)> end;
};

// The protocol: authenticates each socket with its token (every role), gives
// bridge points a media session and relays SDP and ICE, carries conference
// commands to the store and broadcasts the journaled events, answers HTTP.
class Gateway final : public Server::Listener {
 public:
  // A client further behind than this gets a snapshot instead of the events.
  static constexpr std::uint64_t kMaxResumeEvents = 1000;

  // `store` must already hold `conference` (ConferenceStore::Add).
  Gateway(const agenda::ConferenceSpec& conference, agenda::ConferenceStore& store,
          const TokenSigner& signer, SessionFactory session_factory, const Clock& clock,
          const agenda::WallClock& wall_clock);
  ~Gateway() override;

  void set_sink(FrameSink* sink) { sink_ = sink; }
  // Serves the archive's HTTP paths (ArchiveHttp::Handle) before the pages.
  void set_archive(const ArchiveHttp* archive) { archive_ = archive; }
  // Runs after each journaled batch is broadcast (the node follows the
  // conference's recording state from here).
  void set_on_change(std::function<void()> on_change) { on_change_ = std::move(on_change); }
  // Journals and broadcasts a command of the node itself (actor system).
  void ExecuteSystem(const agenda::Command& command);
  // At start no socket exists, so a point the journal still shows connected
  // was left so by a run that ended without closing it (a crash): journal its
  // point.leave now.
  Status ClearStalePresence();
  // Journals point.leave for every joined point, then closes every socket and
  // media session (shutdown).
  void CloseAll();

  void set_health_thresholds(const HealthThresholds& t) { thresholds_ = t; }
  void set_connection_limits(const ConnectionLimits& limits) { limits_ = limits; }
  // Closes the sockets that have not sent an accepted hello within
  // ConnectionLimits::hello_timeout. The node calls it every second.
  void CloseSilent();
  // Every point's join link and token, for the operator (GET /api/join-links);
  // null until the node has made them.
  void set_join_links(std::function<nlohmann::json()> links) { join_links_ = std::move(links); }
  // Sends every chair and operator socket a `stats` message: each point's
  // link health, its send rate since the last push, and how old the program's
  // newest keyframe is. The node calls it every 2 s.
  void PushStats(std::optional<std::chrono::milliseconds> keyframe_age);

  // The program's sources: their state for staff (the `program` message,
  // GET /api/program) and the check that program.select names one.
  struct ProgramControl {
    std::function<nlohmann::json()> status;
    std::function<bool(std::string_view)> has_source;
  };
  void set_program(ProgramControl control) { program_ = std::move(control); }
  // Sends every chair and operator socket the `program` message; the node
  // calls it whenever a source's state or what is on air changes.
  void PushProgram();

  void set_whip(WhipEndpoint whip) { whip_ = std::move(whip); }
  // Without it, the floor is journaled only: no point is asked to send.
  void set_uplink(UplinkFactory uplink) { uplink_factory_ = std::move(uplink); }
  // Answers a deferred HTTP exchange (Server::Respond); false once the
  // exchange is gone.
  void set_responder(std::function<bool(HttpExchangeId, HttpResponse)> respond) {
    respond_ = std::move(respond);
  }

  size_t points_joined() const { return by_point_.size(); }
  size_t points_connected() const;

  HttpResponse OnHttpRequest(const HttpRequest& request) override;
  void OnSocketOpen(ConnectionId id) override;
  void OnSocketMessage(ConnectionId id, std::string_view text) override;
  void OnSocketOversize(ConnectionId id) override;
  void OnSocketBinary(ConnectionId id) override;
  void OnSocketClosed(ConnectionId id) override;

 private:
  class Peer;

  void SendError(ConnectionId id, const Error& error, bool fatal);
  void OnHello(Peer& peer, const HelloMessage& hello);
  void SendInitialState(Peer& peer, std::optional<std::uint64_t> last_seq);
  void OnCommand(Peer& peer, const CommandMessage& message);
  // Journals the command's events and sends each to every peer that may see it.
  Result<std::vector<agenda::Event>> Execute(const agenda::Command& command,
                                             const agenda::Actor& actor);
  void Broadcast(const std::vector<agenda::Event>& events);
  // Gives the point holding the floor its uplink, and closes any other's;
  // `events` (the batch just journaled) tell the closed one why.
  void SyncUplinks(const std::vector<agenda::Event>& events);
  void CloseUplink(Peer& peer, std::string_view reason);
  void OnUplinkMessage(Peer& peer, const ClientMessage& message);
  const agenda::Conference& conference_state() const;
  // Nothing when `request` carries a chair or operator token of this
  // conference (only an operator's, if `operator_only`).
  std::optional<HttpResponse> RequireStaff(const HttpRequest& request,
                                           bool operator_only = false) const;
  // Nothing when `request` carries a token of this conference whose role is
  // `allowed`; else 401, or 403 with `refusal`.
  std::optional<HttpResponse> RequireToken(const HttpRequest& request,
                                           const std::function<bool(Role)>& allowed,
                                           std::string_view refusal) const;
  HttpResponse PointsReport() const;
  // POST /api/program/source {"source":ID}: program.select as the token's actor.
  HttpResponse SelectSource(const HttpRequest& request);
  // One point's link health as /api/points and the stats message show it.
  nlohmann::json PointHealth(const agenda::BridgePointSpec& spec) const;
  HttpResponse AttendanceReport(bool csv) const;
  // /whip/<conference>[/<source>[/<session>]]: nothing for other paths.
  std::optional<HttpResponse> Whip(const HttpRequest& request);
  HttpResponse WhipOffer(const HttpRequest& request, const std::string& source);

  const agenda::ConferenceSpec& conference_;
  agenda::ConferenceStore& store_;
  const TokenSigner& signer_;
  SessionFactory session_factory_;
  const Clock& clock_;
  const agenda::WallClock& wall_clock_;
  const TimePoint started_;
  FrameSink* sink_ = nullptr;
  const ArchiveHttp* archive_ = nullptr;
  std::function<void()> on_change_;
  std::unordered_map<ConnectionId, std::unique_ptr<Peer>> peers_;
  std::map<std::string, ConnectionId> by_point_;  // points with a live socket
  HealthThresholds thresholds_;
  ConnectionLimits limits_;
  std::function<nlohmann::json()> join_links_;
  ProgramControl program_;
  WhipEndpoint whip_;
  UplinkFactory uplink_factory_;
  std::function<bool(HttpExchangeId, HttpResponse)> respond_;
  // Answers that arrive after the gateway is gone are dropped.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  // Chair and operator sockets past hello.
  std::vector<ConnectionId> StaffConnections() const;
  // Per point, bytes sent at the last stats push (and when), for its rate.
  struct SentSample {
    std::uint64_t bytes = 0;
    TimePoint at;
  };
  std::map<std::string, SentSample> last_sent_;
};

}  // namespace bridgecast::signaling
