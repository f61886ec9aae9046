#pragma once

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "ingest/decode_branches.hpp"
#include "ingest/source.hpp"
#include "ingest/source_config.hpp"
#include "ingest/source_feed.hpp"
#include "media/gst_ptr.hpp"
#include "media/ice_config.hpp"
#include "media/program_config.hpp"

namespace bridgecast::ingest {

struct WhipAnswer {
  std::string session;  // names the publisher's session: End(session)
  std::string sdp;      // with every local candidate: WHIP here does not trickle
};

// WebRTC from one publisher at a time (WHIP, RFC 9725; e.g. OBS 30+): H.264
// and Opus into a recvonly webrtcbin of its own, decoded, scaled to the
// program's size and handed to its feed like every other source. Idle until a
// publisher offers. Main loop.
class WhipSource final : public Source {
 public:
  using AnswerDone = std::function<void(Result<WhipAnswer>)>;

  WhipSource(SourceConfig config, const media::ProgramConfig& program, media::IceConfig ice,
             SourceFeed& feed, SourceListener& listener);
  ~WhipSource() override;

  void Start() override;
  std::string InputFormat() const override;
  const std::string& id() const { return config_.id; }

  // Negotiates with a publisher's offer; `done` gets the answer once ICE has
  // gathered (at most 3 s), or an Error: `bad_sdp`, `unsupported_codec`,
  // `busy` (a publisher is live and `takeover` is off), `media_failed`.
  void Offer(std::string sdp, AnswerDone done);
  // Ends that session (the publisher's DELETE); false if it is not the
  // current one.
  bool End(std::string_view session);

  // What Offer checks before any pipeline exists.
  static Status CheckOffer(std::string_view sdp);

 private:
  struct Session;

  Status Build(Session& session, const media::IceConfig& ice);
  void OnRemoteDescriptionSet(const std::string& error);
  void OnAnswerCreated(media::GstSessionDescriptionPtr answer);
  void OnGatheringStateChanged();
  // Hands the local description to the publisher (once).
  void Answer();
  void OnConnectionStateChanged();
  // No picture from the publisher for too long.
  bool Silent() const;
  void RequestKeyframe();
  // Tears the current session down; tells the listener unless a new
  // publisher takes its place (`reason` empty).
  void EndSession(const std::string& reason, bool failed = false);
  static gboolean OnBus(GstBus* bus, GstMessage* message, gpointer self);
  static void OnPadAdded(GstElement* webrtc, GstPad* pad, gpointer session);
  static GstPadProbeReturn OnDecodedCaps(GstPad* pad, GstPadProbeInfo* info, gpointer self);

  SourceConfig config_;
  media::ProgramConfig program_;
  media::IceConfig ice_;
  SourceFeed& feed_;
  SourceListener& listener_;
  std::unique_ptr<Session> session_;
  InputDescription input_;
};

}  // namespace bridgecast::ingest
