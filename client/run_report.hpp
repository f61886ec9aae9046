#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bridgecast::client {

// One point's outcome over the whole run, all connection attempts included.
struct PointReport {
  std::string point;
  bool connected = false;  // media reached "connected" at least once
  // From the WebSocket opening to the first complete keyframe / to media
  // connected, on the attempt that got there.
  std::optional<int64_t> first_frame_ms;
  std::optional<int64_t> connect_ms;
  // Decoding point only: from the WebSocket opening to the first decoded picture.
  std::optional<int64_t> first_decoded_ms;
  // Seconds from the first frame to the end of the run: the span over which
  // frames_received should match the program's frame rate.
  double receive_window_s = 0;
  uint64_t frames_received = 0;
  uint64_t keyframes_received = 0;
  uint64_t frames_decoded = 0;
  std::optional<int> width;  // decoded size; only the decoding point has one
  std::optional<int> height;
  // Glass-to-glass latency samples (decoding point only) and decoded frames
  // whose capture stamp did not read.
  std::vector<double> latency_ms;
  uint64_t stamps_unread = 0;
  // Conference frames: the newest event seq seen, the events and the
  // snapshots received (a resumed reconnect gets the missed events instead
  // of a second snapshot).
  std::optional<uint64_t> last_seq;
  uint64_t events_received = 0;
  int snapshots_received = 0;
  int attempts = 0;
  bool gave_up = false;  // stopped retrying before the run ended
  std::string error;     // last failure, empty if none
  // The floor's uplink: offers received, cycles that reached connected, the
  // last close's reason (empty if none), and what was sent on it (webrtcbin's
  // outbound-rtp) and dropped by --uplink-loss.
  int uplink_offers = 0;
  int uplink_connections = 0;
  std::string uplink_close_reason;
  uint64_t uplink_packets_sent = 0;
  uint64_t uplink_bytes_sent = 0;
  uint64_t uplink_packets_dropped = 0;
};

struct RunReport {
  std::vector<PointReport> points;
  double duration_s = 0;

  // Every point connected and none gave up (e.g. after a fatal error).
  bool Succeeded() const;
  // {"points":[...],"duration_s":...}; unknown values are null.
  std::string ToJson() const;
  // One line for the console: connected count, frames, median first frame.
  std::string Summary() const;
};

}  // namespace bridgecast::client
