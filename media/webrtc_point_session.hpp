#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>
#include <vector>

#include "media/candidate_filter.hpp"
#include "media/gst_ptr.hpp"
#include "media/ice_config.hpp"
#include "media/main_loop.hpp"
#include "media/point_session.hpp"
#include "media/program.hpp"

namespace bridgecast::media {

// A point's link as a webrtcbin fed from the program tees through leaky
// queues, so a stalled point drops its own packets and never holds up the
// others. All methods run on the main loop; webrtcbin's streaming-thread
// signals are posted there.
class WebRtcPointSession final : public PointSession {
 public:
  static Result<std::unique_ptr<WebRtcPointSession>> Create(Program& program,
                                                            const IceConfig& ice,
                                                            Listener& listener,
                                                            const std::string& name);
  ~WebRtcPointSession() override;
  WebRtcPointSession(const WebRtcPointSession&) = delete;
  WebRtcPointSession& operator=(const WebRtcPointSession&) = delete;

  Status SetRemoteAnswer(std::string_view sdp) override;
  Status AddRemoteCandidate(unsigned mline_index, std::string_view candidate) override;
  LinkState link_state() const override { return state_; }
  const PointStats& stats() const override { return stats_; }

 private:
  struct SignalContext;

  WebRtcPointSession(Program& program, Listener& listener);
  Status Build(const IceConfig& ice, const std::string& name);
  Status AddBranch(GstElement* tee, GstCaps* codec, bool nack, const std::string& queue_name,
                   GstElement*& queue, GstPad*& tee_pad, GstPad*& webrtc_pad);
  SignalContext* NewContext();
  void TryCreateOffer();
  void OnOfferCreated(GstSessionDescriptionPtr offer);
  void OnConnectionStateChanged();
  // Lets packets through to webrtcbin (once, when the link first connects).
  void OpenGates();
  void OnRemoteDescriptionFailed(const std::string& why);
  void PollStats();
  void OnStats(GstStructurePtr stats);

  Program& program_;
  Listener& listener_;
  GstElement* webrtc_ = nullptr;  // owned by the program pipeline
  GstElement* video_queue_ = nullptr;
  GstElement* audio_queue_ = nullptr;
  GstPad* video_tee_pad_ = nullptr;  // request pads, released on teardown
  GstPad* audio_tee_pad_ = nullptr;
  GstPad* video_sink_pad_ = nullptr;  // webrtcbin's, owned by it
  GstPad* audio_sink_pad_ = nullptr;
  std::vector<gulong> gate_probes_;  // on the video, then the audio queue's src pad
  bool negotiation_needed_ = false;
  bool offer_requested_ = false;
  bool offer_sent_ = false;
  bool answered_ = false;
  CandidateFilter candidates_{false};  // the point's, checked before webrtcbin probes them
  LinkState state_ = LinkState::kNew;
  PointStats stats_;
  guint stats_timer_ = 0;
  Lifetime lifetime_;
};

}  // namespace bridgecast::media
