#include "client/point_client.hpp"

#include <glib.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace bridgecast::client {
namespace {

using std::chrono::milliseconds;

const char* StateName(GstWebRTCPeerConnectionState state) {
  switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW: return "new";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING: return "connecting";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED: return "connected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED: return "disconnected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED: return "failed";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED: return "closed";
  }
  return "unknown";
}

}  // namespace

PointClient::PointClient(WsContext& context, PointClientConfig config, const Clock& clock,
                         Listener& listener)
    : context_(context), config_(std::move(config)), clock_(clock), listener_(listener) {}

PointClient::~PointClient() = default;

void PointClient::Start() { StartAttempt(); }

void PointClient::StartAttempt() {
  ++attempts_;
  attempt_failed_ = false;
  attempt_connected_ = false;
  opened_at_.reset();
  spdlog::debug("{}: joining, attempt {}", config_.point, attempts_);
  attempt_timer_.Start(config_.connect_timeout, [this] {
    FailAttempt("not media-connected within " + std::to_string(config_.connect_timeout.count()) +
                " ms");
  });
  // The receiver is built while the WebSocket connects, off the path from
  // offer to answer.
  auto created = PointReceiver::Create(config_.receiver, counters_, clock_, *this);
  if (!created) {
    FailAttempt("cannot create the receiver: " + created.error().message);
    return;
  }
  receiver_ = std::move(*created);
  if (config_.signaling) {
    signaling_ = config_.signaling(context_, *this);
  } else {
    signaling_ = std::make_unique<SignalingClient>(context_, config_.ws, config_.token,
                                                   config_.point, *this, last_seq_);
  }
  signaling_->Connect();
}

void PointClient::Stop() {
  if (stopping_) return;
  stopping_ = true;
  attempt_timer_.Stop();
  retry_timer_.Stop();
  // Signaling closes first: the node then stops sending, and the pipeline
  // tears down idle instead of under a full stream (with 67 points under
  // load, stopping live webrtcbins took 0.1-0.4 s each on the main loop).
  if (signaling_ && signaling_->open()) {
    signaling_->Close();  // OnSignalingClosed releases the media
    return;
  }
  uplink_.reset();
  receiver_.reset();
  signaling_.reset();
  BecomeIdle();
}

PointReport PointClient::Report() const {
  PointReport r;
  r.point = config_.point;
  r.connected = connected_;
  r.first_frame_ms = first_frame_ms_;
  r.first_decoded_ms = first_decoded_ms_;
  if (first_frame_at_) {
    r.receive_window_s = std::chrono::duration<double>(clock_.Now() - *first_frame_at_).count();
  }
  r.connect_ms = connect_ms_;
  r.frames_received = counters_->frames.load();
  r.keyframes_received = counters_->keyframes.load();
  r.frames_decoded = counters_->decoded.load();
  if (int w = counters_->width.load(), h = counters_->height.load(); w > 0 && h > 0) {
    r.width = w;
    r.height = h;
  }
  r.latency_ms = counters_->Latencies();
  r.stamps_unread = counters_->stamps_unread.load();
  r.last_seq = last_seq_;
  r.events_received = events_received_;
  r.snapshots_received = snapshots_received_;
  r.attempts = attempts_;
  r.gave_up = gave_up_;
  r.error = error_;
  r.uplink_offers = uplink_offers_;
  r.uplink_connections = uplink_connections_;
  r.uplink_close_reason = uplink_close_reason_;
  UplinkStats sent = uplink_closed_stats_;
  if (uplink_) {
    const UplinkStats live = uplink_->Stats();
    sent.packets_sent += live.packets_sent;
    sent.bytes_sent += live.bytes_sent;
    sent.packets_dropped += live.packets_dropped;
  }
  r.uplink_packets_sent = sent.packets_sent;
  r.uplink_bytes_sent = sent.bytes_sent;
  r.uplink_packets_dropped = sent.packets_dropped;
  return r;
}

void PointClient::OnSignalingOpen() {
  if (attempt_failed_) return;
  opened_at_ = clock_.Now();
}

void PointClient::OnWelcome(const signaling::Welcome& welcome) {
  spdlog::info("{}: welcome to \"{}\" as {}, session {}", config_.point, welcome.conference_title,
               welcome.point_name, welcome.session);
}

void PointClient::OnOffer(const std::string& sdp) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: offer received", config_.point);
  receiver_->ApplyOffer(sdp);
}

void PointClient::OnRemoteCandidate(int sdp_mline_index, const std::string& candidate) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: remote {}", config_.point, candidate);
  receiver_->AddRemoteCandidate(sdp_mline_index, candidate);
}

void PointClient::OnRemoteState(const std::string& state) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: node reports media {}", config_.point, state);
  if (state == "connected") {
    MarkConnected();
  } else if (state == "failed" || state == "closed") {
    FailAttempt("the node reports media " + state);
  }
}

void PointClient::OnConferenceFrame(const signaling::ConferenceFrame& frame) {
  if (!frame.seq) return;
  // A snapshot may go back (the node's journal was reset): it is the truth.
  last_seq_ = frame.seq;
  if (frame.type == "snapshot") {
    ++snapshots_received_;
  } else {
    ++events_received_;
  }
}

void PointClient::OnSignalingError(const signaling::NodeError& error) {
  if (attempt_failed_ || stopping_) return;
  std::string text = error.code + ": " + error.message;
  if (!error.fatal) {
    spdlog::warn("{}: node error {}", config_.point, text);
    return;
  }
  FailAttempt(text, signaling::IsPermanentError(error.code));
}

void PointClient::OnSignalingClosed(const std::string& reason, bool retryable) {
  if (stopping_) {
    uplink_.reset();
    receiver_.reset();
    BecomeIdle();
    return;
  }
  if (attempt_failed_) return;
  FailAttempt("signaling closed: " + reason, !retryable);
}

void PointClient::OnAnswer(std::string sdp) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: sending the answer", config_.point);
  signaling_->SendAnswer(sdp);
}

void PointClient::OnLocalCandidate(int sdp_mline_index, std::string candidate) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: local {}", config_.point, candidate);
  signaling_->SendCandidate(sdp_mline_index, candidate);
}

void PointClient::OnMediaState(GstWebRTCPeerConnectionState state) {
  if (attempt_failed_ || stopping_) return;
  spdlog::debug("{}: media {}", config_.point, StateName(state));
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    MarkConnected();
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    FailAttempt("media connection failed");
  }
}

void PointClient::OnFirstFrame(TimePoint at) {
  if (attempt_failed_) return;
  if (!first_frame_ms_ && opened_at_) first_frame_ms_ = MillisSinceOpen(at);
  if (!first_frame_at_) first_frame_at_ = at;
}

void PointClient::OnFirstDecoded(TimePoint at) {
  if (attempt_failed_) return;
  if (!first_decoded_ms_ && opened_at_) first_decoded_ms_ = MillisSinceOpen(at);
}

void PointClient::OnMediaError(std::string reason) {
  if (attempt_failed_ || stopping_) return;
  FailAttempt("media error: " + reason);
}

void PointClient::OnUplinkOffer(const std::string& sdp) {
  if (attempt_failed_ || stopping_) return;
  ++uplink_offers_;
  // A new offer without a close (the point reconnected while holding the
  // floor) replaces the uplink.
  if (uplink_) CloseUplink("replaced");
  UplinkOptions options = config_.uplink;
  options.record_file = ReturnRecordingPath(options.record_file, uplink_offers_);
  auto created = PointUplink::Create(std::move(options), *this);
  if (!created) {
    spdlog::error("{}: cannot create the uplink: {}", config_.point, created.error().message);
    return;
  }
  spdlog::info("{}: the floor's uplink offered (cycle {})", config_.point, uplink_offers_);
  uplink_ = std::move(*created);
  uplink_cycle_connected_ = false;
  // The room hears the mix-minus instead of the program, never itself late.
  if (config_.uplink.play && receiver_) receiver_->MuteProgramSound(true);
  uplink_->ApplyOffer(sdp);
}

void PointClient::OnUplinkCandidate(int sdp_mline_index, const std::string& candidate) {
  if (!uplink_ || stopping_) return;
  uplink_->AddRemoteCandidate(sdp_mline_index, candidate);
}

void PointClient::OnUplinkState(const std::string& state) {
  if (!uplink_ || stopping_) return;
  spdlog::debug("{}: node reports uplink {}", config_.point, state);
  if (state == "connected") MarkUplinkConnected();
}

void PointClient::OnUplinkClose(const std::string& reason) {
  spdlog::info("{}: the floor's uplink closed: {}", config_.point, reason);
  uplink_close_reason_ = reason;
  CloseUplink(reason);
}

void PointClient::OnUplinkAnswer(std::string sdp) {
  if (!signaling_ || stopping_) return;
  signaling_->SendUplinkAnswer(sdp);
}

void PointClient::OnUplinkLocalCandidate(int sdp_mline_index, std::string candidate) {
  if (!signaling_ || stopping_) return;
  signaling_->SendUplinkCandidate(sdp_mline_index, candidate);
}

void PointClient::OnUplinkMediaState(GstWebRTCPeerConnectionState state) {
  spdlog::debug("{}: uplink media {}", config_.point, StateName(state));
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) MarkUplinkConnected();
  // The node sees it fail too and closes the uplink (media_failed).
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    spdlog::warn("{}: the floor's uplink failed", config_.point);
  }
}

// The uplink fails alone: the program keeps playing, and the node, which
// sees its side fail too, closes the floor's uplink or offers again.
void PointClient::OnUplinkError(std::string reason) {
  spdlog::warn("{}: uplink error: {}", config_.point, reason);
  CloseUplink("media_error");
}

void PointClient::MarkUplinkConnected() {
  if (uplink_cycle_connected_) return;
  uplink_cycle_connected_ = true;
  ++uplink_connections_;
  spdlog::info("{}: the floor's uplink is connected", config_.point);
}

void PointClient::CloseUplink(const std::string& reason) {
  if (!uplink_) return;
  uplink_close_reason_ = reason;
  const UplinkStats last = uplink_->Stats();
  uplink_closed_stats_.packets_sent += last.packets_sent;
  uplink_closed_stats_.bytes_sent += last.bytes_sent;
  uplink_closed_stats_.packets_dropped += last.packets_dropped;
  if (config_.uplink.play && receiver_) receiver_->MuteProgramSound(false);
  // A previous one still dying goes now, finished.
  dying_uplink_ = std::move(uplink_);
  reap_timer_.Start(milliseconds(0), [this] { Reap(); });
}

void PointClient::Reap() {
  dying_uplink_.reset();
  dying_receiver_.reset();
  dying_signaling_.reset();
}

void PointClient::MarkConnected() {
  if (attempt_connected_) return;
  attempt_connected_ = true;
  attempt_timer_.Stop();
  error_.clear();
  failures_in_a_row_ = 0;
  int64_t ms = MillisSinceOpen(clock_.Now());
  if (!connected_) {
    connected_ = true;
    connect_ms_ = ms;
  }
  spdlog::info("{}: media connected {} ms after the WebSocket opened (attempt {})", config_.point,
               ms, attempts_);
}

void PointClient::FailAttempt(std::string reason, bool permanent) {
  if (stopping_ || attempt_failed_) return;
  attempt_failed_ = true;
  attempt_timer_.Stop();
  error_ = reason;
  dying_signaling_ = std::move(signaling_);
  dying_receiver_ = std::move(receiver_);
  // The node revokes the floor of a point whose socket went.
  CloseUplink("disconnected");
  reap_timer_.Start(milliseconds(0), [this] { Reap(); });
  ++failures_in_a_row_;
  bool give_up = permanent || failures_in_a_row_ > config_.max_retries;
  spdlog::warn("{}: attempt {} failed: {}{}", config_.point, attempts_, reason,
               give_up ? "; giving up" : "; retrying");
  if (give_up) {
    gave_up_ = true;
    BecomeIdle();
    return;
  }
  // Growing backoff with jitter, so failed points do not retry in lockstep.
  milliseconds backoff = std::min(milliseconds(500) * failures_in_a_row_, milliseconds(3000)) +
                         milliseconds(g_random_int_range(0, 250));
  retry_timer_.Start(backoff, [this] { StartAttempt(); });
}

void PointClient::BecomeIdle() {
  if (idle_) return;
  idle_ = true;
  listener_.OnPointIdle(*this);
}

int64_t PointClient::MillisSinceOpen(TimePoint at) const {
  if (!opened_at_) return 0;
  return std::chrono::duration_cast<milliseconds>(at - *opened_at_).count();
}

}  // namespace bridgecast::client
