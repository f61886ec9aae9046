#pragma once

#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "client/media_counters.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"

namespace bridgecast::client {

struct ReceiverOptions {
  std::string name;      // names the pipeline, for logs
  // avdec_h264 and opusdec, and glass-to-glass latency from the capture
  // stamp; otherwise parse and count only.
  bool decode = false;
  // Without decode: false counts complete frames from RTP headers alone
  // (marker bit, no sequence gap since the previous marker; a keyframe if a
  // packet carries an SPS or an IDR slice), with no depayloader or parser: a
  // cheaper point for load generators.
  bool parse = true;
  bool display = false;  // with decode: autovideosink/autoaudiosink instead of fakesink
  int latency_ms = 200;  // jitterbuffer latency
  // If non-empty, ICE gathers only on these local addresses.
  std::vector<std::string> ice_addresses;
  // Tests only: drop every Nth incoming video RTP packet before the
  // jitterbuffer (0: none). Loss in user space, as the test machine's kernel
  // has no netem, so that NACK and retransmission have something to recover.
  int drop_video_every = 0;
  // With decode: also writes the received H.264 access units and Opus
  // packets, not decoded, to this MPEG-TS file.
  std::string record_file;
};

// One point's media side: a webrtcbin that answers the node's send-only
// offer, depayloads and parses the H.264 to count access units, and for the
// decoding point decodes and reports the picture size. Listener calls come
// from the main loop.
class PointReceiver {
 public:
  // Socket receive buffer once connected: about 5 s of a 1.5 Mbit/s program
  // (the kernel caps it at net.core.rmem_max).
  static constexpr int kReceiveBufferBytes = 1 << 20;

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnAnswer(std::string sdp) = 0;
    virtual void OnLocalCandidate(int sdp_mline_index, std::string candidate) = 0;
    virtual void OnMediaState(GstWebRTCPeerConnectionState state) = 0;
    virtual void OnFirstFrame(TimePoint at) = 0;  // the first complete keyframe
    virtual void OnFirstDecoded(TimePoint at) = 0;  // decoding point: the first picture out
    virtual void OnMediaError(std::string reason) = 0;
  };

  static Result<std::unique_ptr<PointReceiver>> Create(ReceiverOptions options,
                                                       std::shared_ptr<MediaCounters> counters,
                                                       const Clock& clock, Listener& listener);
  ~PointReceiver();
  PointReceiver(const PointReceiver&) = delete;
  PointReceiver& operator=(const PointReceiver&) = delete;

  void ApplyOffer(const std::string& sdp);
  void AddRemoteCandidate(int sdp_mline_index, const std::string& candidate);
  // Asks the sender for a keyframe (RTCP PLI), as a decoder that lost its
  // reference would. No effect before the video stream has arrived.
  void RequestKeyframe();
  // Display point: silences the program's sound while the floor's uplink
  // plays the mix-minus, so the room does not hear itself come back late.
  void MuteProgramSound(bool muted);

 private:
  PointReceiver(ReceiverOptions options, std::shared_ptr<MediaCounters> counters,
                const Clock& clock, Listener& listener);
  Status Build();
  void EnlargeReceiveBuffers();

  // Signal handlers and pad probes; they run on GStreamer threads.
  static void OnIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self);
  static void OnConnectionStateNotify(GstElement*, GParamSpec*, gpointer self);
  static void OnPadAdded(GstElement*, GstPad* pad, gpointer self);
  static void OnRemoteDescriptionSet(GstPromise* promise, gpointer self);
  static void OnAnswerCreated(GstPromise* promise, gpointer self);
  static GstPadProbeReturn OnParsedFrame(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn OnRtpPacket(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn OnDecodedFrame(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn DropVideoPackets(GstPad*, GstPadProbeInfo* info, gpointer self);
  static void OnRtpBinPadAdded(GstElement* rtpbin, GstPad* pad, gpointer self);
  static void OnNewJitterBuffer(GstElement*, GstElement* jitterbuffer, guint session, guint ssrc,
                                gpointer self);
  static gboolean OnBusMessage(GstBus*, GstMessage* message, gpointer self);

  void LinkVideo(GstPad* pad);
  void LinkAudio(GstPad* pad);
  void PostError(std::string reason);
  void CountFrame(bool keyframe);
  void ReadCaptureStamp(GstBuffer* buffer);

  ReceiverOptions options_;
  std::shared_ptr<MediaCounters> counters_;
  const Clock& clock_;
  Listener& listener_;
  media::GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;  // owned by pipeline_
  GstElement* record_mux_ = nullptr;  // owned by pipeline_; with record_file
  // Adds a branch from `tee` to the recording's muxer.
  bool Record(GstElement* tee, const char* mux_pad);
  GstElement* rtpbin_ = nullptr;  // inside webrtc_
  guint bus_watch_ = 0;
  std::atomic<bool> first_frame_seen_{false};
  std::atomic<bool> first_decoded_seen_{false};
  std::mutex video_pad_mutex_;
  media::GstPadPtr video_pad_;  // webrtcbin's video source pad, once it exists
  std::mutex volume_mutex_;  // guards the two below
  media::GstElementPtr volume_;  // display: the program sound's, once it exists
  bool program_muted_ = false;
  std::atomic<int> video_payload_type_{-1};  // H.264's, from the offer
  std::atomic<int64_t> video_ssrc_{-1};
  uint64_t video_packets_in_ = 0;  // drop_video_every: on the receiving thread only
  // RTP counting (parse == false), on the video pad's streaming thread only.
  bool rtp_seen_marker_ = false;
  bool rtp_gap_ = false;
  bool rtp_frame_is_key_ = false;
  uint16_t rtp_next_seq_ = 0;
  GstVideoInfo decoded_info_{};  // the decoder's output; its streaming thread only
  bool decoded_info_valid_ = false;
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::client
