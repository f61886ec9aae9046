#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "client/media_counters.hpp"
#include "client/point_receiver.hpp"
#include "client/point_uplink.hpp"
#include "client/run_report.hpp"
#include "client/signaling_client.hpp"
#include "client/timer.hpp"

namespace bridgecast::client {

struct PointClientConfig {
  std::string point;  // id
  std::string token;
  WsClientOptions ws;
  ReceiverOptions receiver;
  // The floor's uplink, made for each uplink_offer. Its record_file is the
  // first cycle's; later cycles write ReturnRecordingPath(record_file, n).
  UplinkOptions uplink;
  // Makes each attempt's signaling; empty: the node's protocol over `ws`
  // with `token`.
  PointSignalingFactory signaling;
  // An attempt not media-connected by then is torn down and retried.
  std::chrono::milliseconds connect_timeout{10000};
  // Reconnects after consecutive failures; a connection resets the count,
  // so a point that loses the node later gets the same number again.
  int max_retries = 5;
};

// One bridge point for the whole run: joins, and rejoins after a failure or
// a connect timeout until the retries run out, resuming the conference from
// the last event seen. Each attempt is a fresh SignalingClient and
// PointReceiver; counters add up across attempts.
class PointClient final : public PointSignaling::Listener,
                          public PointReceiver::Listener,
                          public PointUplink::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The point stopped for good: gave up, or closed after Stop().
    virtual void OnPointIdle(PointClient& point) = 0;
  };

  PointClient(WsContext& context, PointClientConfig config, const Clock& clock, Listener& listener);
  ~PointClient();
  PointClient(const PointClient&) = delete;
  PointClient& operator=(const PointClient&) = delete;

  void Start();
  // Closes the signaling connection cleanly, then stops media.
  void Stop();
  bool idle() const { return idle_; }
  PointReport Report() const;

 private:
  // PointSignaling::Listener
  void OnSignalingOpen() override;
  void OnWelcome(const signaling::Welcome& welcome) override;
  void OnOffer(const std::string& sdp) override;
  void OnRemoteCandidate(int sdp_mline_index, const std::string& candidate) override;
  void OnRemoteState(const std::string& state) override;
  void OnConferenceFrame(const signaling::ConferenceFrame& frame) override;
  void OnSignalingError(const signaling::NodeError& error) override;
  void OnSignalingClosed(const std::string& reason, bool retryable) override;
  void OnUplinkOffer(const std::string& sdp) override;
  void OnUplinkCandidate(int sdp_mline_index, const std::string& candidate) override;
  void OnUplinkState(const std::string& state) override;
  void OnUplinkClose(const std::string& reason) override;
  // PointReceiver::Listener
  void OnAnswer(std::string sdp) override;
  void OnLocalCandidate(int sdp_mline_index, std::string candidate) override;
  void OnMediaState(GstWebRTCPeerConnectionState state) override;
  void OnFirstFrame(TimePoint at) override;
  void OnFirstDecoded(TimePoint at) override;
  void OnMediaError(std::string reason) override;
  // PointUplink::Listener
  void OnUplinkAnswer(std::string sdp) override;
  void OnUplinkLocalCandidate(int sdp_mline_index, std::string candidate) override;
  void OnUplinkMediaState(GstWebRTCPeerConnectionState state) override;
  void OnUplinkError(std::string reason) override;

  void StartAttempt();
  void MarkConnected();
  // Ends the current attempt; retries unless `permanent` or out of retries.
  void FailAttempt(std::string reason, bool permanent = false);
  void BecomeIdle();
  // Ends the uplink, if any, in its own main-loop turn; its recording is
  // finished then.
  void CloseUplink(const std::string& reason);
  void MarkUplinkConnected();
  void Reap();
  int64_t MillisSinceOpen(TimePoint at) const;

  WsContext& context_;
  PointClientConfig config_;
  const Clock& clock_;
  Listener& listener_;
  std::shared_ptr<MediaCounters> counters_ = std::make_shared<MediaCounters>();
  std::unique_ptr<PointSignaling> signaling_;
  std::unique_ptr<PointReceiver> receiver_;
  // Teardown happens from its own main-loop turn, never inside a callback of
  // the objects being destroyed.
  std::unique_ptr<PointSignaling> dying_signaling_;
  std::unique_ptr<PointReceiver> dying_receiver_;
  std::unique_ptr<PointUplink> uplink_;
  std::unique_ptr<PointUplink> dying_uplink_;
  Timer attempt_timer_;
  Timer retry_timer_;
  Timer reap_timer_;

  int attempts_ = 0;
  int failures_in_a_row_ = 0;
  bool attempt_failed_ = false;
  bool attempt_connected_ = false;
  bool stopping_ = false;
  bool idle_ = false;
  bool gave_up_ = false;
  std::optional<TimePoint> opened_at_;
  bool connected_ = false;
  std::optional<int64_t> connect_ms_;
  std::optional<int64_t> first_frame_ms_;
  std::optional<int64_t> first_decoded_ms_;
  std::optional<TimePoint> first_frame_at_;  // for the receive window in the report
  std::string error_;
  // The newest conference event seen, across attempts: the next hello
  // resumes from it (docs/protocol.md, "Session flow").
  std::optional<std::uint64_t> last_seq_;
  uint64_t events_received_ = 0;
  int snapshots_received_ = 0;
  // The uplink, over all cycles of the floor.
  int uplink_offers_ = 0;
  int uplink_connections_ = 0;
  bool uplink_cycle_connected_ = false;
  std::string uplink_close_reason_;
  UplinkStats uplink_closed_stats_;  // summed over the uplinks already closed
};

}  // namespace bridgecast::client
