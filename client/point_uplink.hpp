#pragma once

#include <gst/webrtc/webrtc.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"

namespace bridgecast::client {

struct UplinkOptions {
  std::string name;  // names the pipeline, for logs
  // The camera: a solid picture of this colour (0xRRGGBB); false answers the
  // video m-line inactive, as a point without a camera does.
  bool video = true;
  uint32_t colour = 0x00c000;
  int tone_hz = 660;  // the microphone: a sine
  // Fraction (0..0.5) of the uplink's SRTP packets dropped on their way to
  // the socket, after encryption: a lossy provincial line, in user space as
  // the test machine's kernel has no netem. DTLS and RTCP pass.
  double loss = 0;
  // The node's mix-minus: played (a point that shows the program), and
  // decoded to a WAV file unless empty.
  bool play = false;
  std::string record_file;
  // If non-empty, ICE gathers only on these local addresses.
  std::vector<std::string> ice_addresses;
};

// What the uplink sent, from webrtcbin's outbound-rtp statistics.
struct UplinkStats {
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t packets_dropped = 0;  // by UplinkOptions::loss
};

// The point's side of the floor's uplink (docs/protocol.md, "The floor's
// uplink"): a second webrtcbin that answers the node's offer, sends a test
// camera (H.264) and a tone microphone (Opus), and receives the node's
// mix-minus on the audio m-line. One object per offer: the floor granted
// again gets a new one. Listener calls come from the main loop.
class PointUplink {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnUplinkAnswer(std::string sdp) = 0;
    virtual void OnUplinkLocalCandidate(int sdp_mline_index, std::string candidate) = 0;
    virtual void OnUplinkMediaState(GstWebRTCPeerConnectionState state) = 0;
    virtual void OnUplinkError(std::string reason) = 0;
  };

  static Result<std::unique_ptr<PointUplink>> Create(UplinkOptions options, Listener& listener);
  // Finishes the recording (EOS through the WAV writer, which then rewrites
  // its header), then stops the pipeline.
  ~PointUplink();
  PointUplink(const PointUplink&) = delete;
  PointUplink& operator=(const PointUplink&) = delete;

  void ApplyOffer(const std::string& sdp);
  void AddRemoteCandidate(int sdp_mline_index, const std::string& candidate);
  // Waits for webrtcbin's statistics; from the main loop.
  UplinkStats Stats();

 private:
  // What the node's offer asks for: its m-lines and payload types, -1 if none.
  struct OfferedMedia {
    int video_mline = -1;
    int h264_payload = -1;  // packetization-mode=1 preferred
    int audio_mline = -1;
    int opus_payload = -1;
  };

  PointUplink(UplinkOptions options, Listener& listener);
  Status Build();
  Status BuildReturn();
  // After the remote offer: directions, codec preferences, the sources
  // linked to their transceivers; then the answer.
  Status PrepareAnswer();
  Status AttachSender(int mline, GstWebRTCRTPTransceiverDirection direction, bool nack,
                      const char* caps, std::initializer_list<GstElement*> chain);
  void AddLossProbes();
  void FinishRecording();
  void PostError(std::string reason);

  // Signal handlers and pad probes; they run on GStreamer threads.
  static void OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self);
  static void OnConnectionStateNotify(GstElement*, GParamSpec*, gpointer self);
  static void OnPadAdded(GstElement*, GstPad* pad, gpointer self);
  static void OnRemoteDescriptionSet(GstPromise* promise, gpointer self);
  static void OnAnswerCreated(GstPromise* promise, gpointer self);
  static GstPadProbeReturn DropSentPackets(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn GuardRecording(GstPad*, GstPadProbeInfo* info, gpointer self);
  static gboolean OnBusMessage(GstBus*, GstMessage* message, gpointer self);

  UplinkOptions options_;
  Listener& listener_;
  OfferedMedia offered_;
  media::GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;       // owned by pipeline_
  GstElement* return_head_ = nullptr;  // owned by pipeline_: the mix-minus's depayloader
  media::GstPadPtr record_pad_;        // the WAV writer's sink pad; with record_file
  std::atomic<bool> recording_finished_{false};
  guint bus_watch_ = 0;
  bool loss_probes_added_ = false;
  std::mutex loss_mutex_;
  std::minstd_rand loss_random_{20261130};  // fixed seed: the same losses every run
  std::atomic<uint64_t> dropped_{0};
  media::Lifetime lifetime_;
};

// Where cycle `cycle` (1-based) of the floor writes its return recording:
// `file` itself for the first, then "-2", "-3"... before the extension
// (return.wav, return-2.wav, ...).
std::string ReturnRecordingPath(const std::string& file, int cycle);

}  // namespace bridgecast::client
