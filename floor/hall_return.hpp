#pragma once

#include <glib.h>

#include <memory>
#include <string>

#include "base/result.hpp"
#include "media/gst_ptr.hpp"
#include "media/main_loop.hpp"
#include "media/program.hpp"

namespace bridgecast::floor {

// The central hall's return: the program's picture as it was encoded (no
// second encode) with the floor's sound alone — the speaker, never the hall's
// own microphone — as MPEG-TS (H.264, AAC) over SRT, for the hall's desk to
// put on its loudspeakers and screens (docs/floor.md). A pipeline of its own
// on the program's clock: a failing output never touches the program; it
// starts again after 2 s. Main loop.
class HallReturn {
 public:
  // `uri`: srtsink's, e.g. "srt://:9710?mode=listener".
  static Result<std::unique_ptr<HallReturn>> Create(media::Program& program,
                                                    const std::string& uri);
  ~HallReturn();
  HallReturn(const HallReturn&) = delete;
  HallReturn& operator=(const HallReturn&) = delete;

  // After Program::Start.
  void Start();

 private:
  HallReturn(media::Program& program, std::string uri);
  Status Build();
  void Stop();
  static gboolean OnBus(GstBus* bus, GstMessage* message, gpointer self);

  media::Program& program_;
  std::string uri_;
  media::GstElementPtr pipeline_;
  guint bus_watch_ = 0;
  guint restart_timer_ = 0;
  media::Lifetime lifetime_;
};

}  // namespace bridgecast::floor
