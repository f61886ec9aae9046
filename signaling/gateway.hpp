#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "agenda/conference_spec.hpp"
#include "base/clock.hpp"
#include "media/point_session.hpp"
#include "signaling/http.hpp"
#include "signaling/server.hpp"
#include "signaling/token.hpp"

namespace bridgecast::signaling {

// Creates the media link of one point; `name` is unique per connection.
using SessionFactory = std::function<Result<std::unique_ptr<media::PointSession>>(
    const std::string& name, media::PointSession::Listener& listener)>;

// The bridge-point side of the protocol: authenticates each socket with its
// token, gives it a media session, relays SDP and ICE, and answers HTTP.
class Gateway final : public Server::Listener {
 public:
  Gateway(const agenda::ConferenceSpec& conference, const TokenSigner& signer,
          SessionFactory session_factory, const Clock& clock);
  ~Gateway() override;

  void set_sink(FrameSink* sink) { sink_ = sink; }
  // Closes every socket and media session (shutdown).
  void CloseAll();

  size_t points_joined() const { return by_point_.size(); }
  size_t points_connected() const;

  HttpResponse OnHttpRequest(const HttpRequest& request) override;
  void OnSocketOpen(ConnectionId id) override;
  void OnSocketMessage(ConnectionId id, std::string_view text) override;
  void OnSocketOversize(ConnectionId id) override;
  void OnSocketClosed(ConnectionId id) override;

 private:
  class Peer;

  void SendError(ConnectionId id, const Error& error, bool fatal);
  void OnHello(Peer& peer, const std::string& token);
  HttpResponse PointsReport(const HttpRequest& request) const;

  const agenda::ConferenceSpec& conference_;
  const TokenSigner& signer_;
  SessionFactory session_factory_;
  const Clock& clock_;
  const TimePoint started_;
  FrameSink* sink_ = nullptr;
  std::unordered_map<ConnectionId, std::unique_ptr<Peer>> peers_;
  std::map<std::string, ConnectionId> by_point_;  // points with a live socket
};

}  // namespace bridgecast::signaling
