#pragma once

#include <gst/gst.h>

#include <memory>
#include <mutex>
#include <string>

#include "ingest/decode_branches.hpp"
#include "ingest/source.hpp"
#include "ingest/source_config.hpp"
#include "ingest/source_feed.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"
#include "media/program_config.hpp"

namespace bridgecast::ingest {

// Every source but WHIP: the test pattern, a file, SRT, RTSP, a local camera
// and microphone. Decodes what arrives (H.264, H.265, MJPEG or raw video;
// AAC, MPEG audio, Opus or PCM), scales to the program's size (letterboxed,
// never up-rated) and hands pictures and samples to its feed. Restarts itself
// after an error, waiting longer each time (1 s up to 10 s).
class DecodedSource final : public Source {
 public:
  DecodedSource(SourceConfig config, const media::ProgramConfig& program, SourceFeed& feed,
                SourceListener& listener);
  ~DecodedSource() override;

  void Start() override;
  std::string InputFormat() const override;

  // Whether a caps name is a codec or container this source decodes.
  static bool Accepts(const GstCaps* caps);

 private:
  Status Build();
  void Stop();
  void Fail(const std::string& reason);
  void ScheduleRestart();
  static gboolean OnBus(GstBus* bus, GstMessage* message, gpointer self);
  // The end of the pictures: a file loops or ends, a stream restarts.
  gboolean OnEnd();
  static void OnPadAdded(GstElement* decoder, GstPad* pad, gpointer self);
  static void OnNoMorePads(GstElement* decoder, gpointer self);
  static gboolean OnAutoplugContinue(GstElement* decoder, GstPad* pad, GstCaps* caps,
                                     gpointer self);
  static void OnSourceSetup(GstElement* decoder, GstElement* source, gpointer self);
  // H.264 as it came: parsed once, decoded for the compositor and kept
  // whole for a pass-through. Streaming thread.
  bool LinkH264(GstPad* pad, GstElement* video_branch);

  SourceConfig config_;
  media::ProgramConfig program_;
  SourceFeed& feed_;
  SourceListener& listener_;
  media::GstElementPtr pipeline_;
  guint bus_watch_ = 0;
  guint restart_timer_ = 0;
  int failures_ = 0;
  std::uint64_t frames_at_start_ = 0;
  InputDescription input_;
  std::mutex mutex_;  // refused_ and video_linked_ are written on streaming threads
  std::string refused_;  // a codec we saw and do not take
  bool video_linked_ = false;
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::ingest
