#pragma once

#include <gst/gst.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ingest/source_feed.hpp"
#include "media/candidate_filter.hpp"
#include "media/gst_ptr.hpp"
#include "media/ice_config.hpp"
#include "media/main_loop.hpp"
#include "media/point_session.hpp"
#include "media/program.hpp"

namespace bridgecast::floor {

// The floor speaker's uplink (docs/protocol.md, "The floor's uplink"): a
// webrtcbin of its own that the node offers to the point — video receive-only
// (H.264 or VP8), audio both ways (Opus with in-band FEC) — decoding the
// point's camera and microphone into the floor's feed, and sending back the
// hall's mix (the speaker's mix-minus). A pipeline of its own, so a failing or
// flooding speaker never stops the program: its decoder has one thread, its
// pictures and samples go through leaky queues. Main loop.
class UplinkSession final : public media::PointSession {
 public:
  static Result<std::unique_ptr<UplinkSession>> Create(media::Program& program,
                                                       const media::IceConfig& ice,
                                                       ingest::SourceFeed& feed,
                                                       Listener& listener,
                                                       const std::string& name);
  ~UplinkSession() override;
  UplinkSession(const UplinkSession&) = delete;
  UplinkSession& operator=(const UplinkSession&) = delete;

  // Refuses (`unsupported_codec`) an answer that takes neither H.264 nor VP8
  // video while sending it, or no Opus.
  Status SetRemoteAnswer(std::string_view sdp) override;
  Status AddRemoteCandidate(unsigned mline_index, std::string_view candidate) override;
  media::LinkState link_state() const override { return state_; }
  const media::PointStats& stats() const override { return stats_; }

  // Whether the answer sends video; false before the answer.
  bool sends_video() const { return sends_video_; }
  // When the session was created: the speaker's first picture is awaited from then.
  std::chrono::steady_clock::time_point opened() const { return opened_; }
  // Nobody is told anything more: the session only plays out what it still
  // holds (its fade) before it is destroyed.
  void Retire() { listener_ = nullptr; }

 private:
  struct SignalContext;

  UplinkSession(media::Program& program, ingest::SourceFeed& feed, Listener& listener);
  Status Build(const media::IceConfig& ice, const std::string& name);
  SignalContext* NewContext();
  void TryCreateOffer();
  void OnOfferCreated(media::GstSessionDescriptionPtr offer);
  void OnConnectionStateChanged();
  void Fail(const std::string& why);
  void RequestKeyframe();
  static void OnPadAdded(GstElement* webrtc, GstPad* pad, gpointer self);
  static gboolean OnBus(GstBus* bus, GstMessage* message, gpointer self);

  media::Program& program_;
  ingest::SourceFeed& feed_;
  Listener* listener_;  // null once retired
  media::GstElementPtr pipeline_;
  GstElement* webrtc_ = nullptr;     // owned by the pipeline
  GstElement* mix_minus_ = nullptr;  // the appsrc the hall's mix enters by
  GstPad* audio_sink_pad_ = nullptr;  // webrtcbin's, owned by it
  gulong gate_probe_ = 0;
  guint bus_watch_ = 0;
  media::CandidateFilter candidates_{false};  // the speaker's, checked before probing
  bool negotiation_needed_ = false;
  bool offer_requested_ = false;
  bool offer_sent_ = false;
  bool answered_ = false;
  bool sends_video_ = false;
  std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
  media::LinkState state_ = media::LinkState::kNew;
  media::PointStats stats_;
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::floor
