#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"

// Programs fed into the node from outside, as ingest sees them: gst-launch-1.0
// sending a videotestsrc pattern and a sine tone, and the RTSP test server.
// A test knows what it sent and measures what came out (media_judge).
namespace bridgecast::test {

enum class VideoCodec {
  kH264,   // x264enc tune=zerolatency, a keyframe every second
  // mpeg2enc, for tests of a codec the node does not take. Slow: about 60 ms
  // of CPU a 640x360 picture, so live only at 320x180 or so.
  kMpeg2,
};
enum class AudioCodec { kAac, kOpus, kNone };

struct FeedSpec {
  std::string pattern = "smpte";  // a videotestsrc pattern: red, green, blue, snow…
  int tone_hz = 440;
  double volume = 0.8;  // the sine's peak, 0..1 (audiotestsrc's default)
  int width = 640;
  int height = 360;
  int fps = 25;
  VideoCodec video = VideoCodec::kH264;
  AudioCodec audio = AudioCodec::kAac;
};

// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, read,
// released), for programs that need a concrete port, as SRT does.
int FreeUdpPort();

// A child process that feeds media. A test can kill it (SIGKILL, as a crash
// or a cut cable) and start it again with the same command line, so it
// comes back on the same port.
class Feeder {
 public:
  Feeder(std::vector<std::string> argv, std::string ready_prefix, std::string log_path);
  virtual ~Feeder() = default;

  // Starts the child and waits for the stdout line that begins with
  // ready_prefix. A child that exits first is started again until `timeout`.
  virtual bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Kill();
  bool Restart(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool running();
  const std::string& ready_line() const { return ready_line_; }
  // The child's stderr, for the message of a failing test.
  std::string Log() const;

 protected:
  std::vector<std::string> argv_;

 private:
  std::string ready_prefix_;
  std::string log_path_;
  std::string ready_line_;
  std::unique_ptr<ChildProcess> child_;
};

enum class SrtMode { kCaller, kListener };

// gst-launch-1.0 sending `spec` live as MPEG-TS over SRT: as a caller to
// srt://127.0.0.1:port, or as a listener on that port (the other side then
// calls srt://127.0.0.1:port?mode=caller). An empty passphrase sends
// unencrypted. Ready once the pipeline plays: a listener is bound then, but a
// caller only starts connecting (one that is refused or finds no listener
// exits within 3 s). So a caller starts only once something has bound the
// UDP port.
class SrtFeeder : public Feeder {
 public:
  SrtFeeder(SrtMode mode, int port, const FeedSpec& spec, const std::string& log_path,
            const std::string& passphrase = "");
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(10)) override;

 private:
  SrtMode mode_;
  int port_;
};

// tests/support/rtsp_test_server serving `spec` (H.264 and AAC, or no audio
// for AudioCodec::kNone) on rtsp://127.0.0.1:<port><path>. Port 0 takes a
// free port on the first start; restarts keep it.
class RtspFeeder : public Feeder {
 public:
  RtspFeeder(const std::string& path, const FeedSpec& spec, const std::string& log_path,
             int port = 0);
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(10)) override;
  const std::string& url() const { return url_; }

 private:
  std::string url_;
};

// Writes `seconds` of `spec` to `path`, as fast as gst-launch-1.0 encodes;
// the container follows the extension: .mp4, .mkv or .ts. False (details in
// the log) when gst-launch fails or takes over 60 s.
bool WriteMediaFile(const std::string& path, const FeedSpec& spec, double seconds,
                    const std::string& log_path);

}  // namespace bridgecast::test
