#include "media_feeder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace bridgecast::test {
namespace {

constexpr const char* kGstLaunch = "/usr/bin/gst-launch-1.0";

// gst-launch-1.0 takes one pipeline word per argument; values here hold no spaces.
std::vector<std::string> Words(const std::string& description) {
  std::vector<std::string> words;
  std::stringstream in(description);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

// Pattern and tone into the muxer named "mux". Live sources pace a stream in
// real time; otherwise num-buffers ends them after `seconds`.
std::string Sources(const FeedSpec& spec, bool live, double seconds) {
  const std::string fps = std::to_string(spec.fps);
  std::string video = "videotestsrc pattern=" + spec.pattern;
  video += live ? " is-live=true"
                : " num-buffers=" + std::to_string(std::lround(seconds * spec.fps));
  video += " ! video/x-raw,width=" + std::to_string(spec.width) + ",height=" +
           std::to_string(spec.height) + ",framerate=" + fps + "/1 ! videoconvert ! ";
  // Debian 12's avenc_mpeg2video (gst-libav 1.22.0) refuses every frame rate
  // ("MPEG-1/2 does not support 1000000000/1 fps"); mjpegtools' mpeg2enc
  // format=3 writes generic MPEG-2, with a sequence header in each GOP so a
  // receiver can start at any GOP.
  video += spec.video == VideoCodec::kH264
               ? "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=" + fps +
                     " ! h264parse"
               : "mpeg2enc format=3 quantisation=8 max-gop-size=" + fps +
                     " sequence-header-every-gop=true ! mpegvideoparse";
  video += " ! queue ! mux. ";
  if (spec.audio == AudioCodec::kNone) return video;
  constexpr int kSamplesPerBuffer = 1024;
  std::string audio = "audiotestsrc wave=sine freq=" + std::to_string(spec.tone_hz) +
                      " volume=" + std::to_string(spec.volume) +
                      " samplesperbuffer=" + std::to_string(kSamplesPerBuffer);
  const long audio_buffers = std::lround(std::ceil(seconds * 48000 / kSamplesPerBuffer));
  audio += live ? " is-live=true" : " num-buffers=" + std::to_string(audio_buffers);
  audio += " ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2 ! ";
  audio += spec.audio == AudioCodec::kAac ? "avenc_aac ! aacparse" : "opusenc ! opusparse";
  return video + audio + " ! queue ! mux.";
}

// Whether a socket is bound to UDP `port` on any local address, IPv4 or IPv6.
bool UdpPortBound(int port) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
      std::stringstream fields(line);
      std::string slot, local;
      fields >> slot >> local;
      if (local.ends_with(hex)) return true;
    }
  }
  return false;
}

}  // namespace

int FreeUdpPort() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

Feeder::Feeder(std::vector<std::string> argv, std::string ready_prefix, std::string log_path)
    : argv_(std::move(argv)),
      ready_prefix_(std::move(ready_prefix)),
      log_path_(std::move(log_path)) {}

bool Feeder::Start(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    child_ = std::make_unique<ChildProcess>(argv_, log_path_);
    if (!child_->started()) return false;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto line = child_->ReadLine(left);
      if (!line) break;  // timed out, or the child closed stdout: it is exiting
      if (line->starts_with(ready_prefix_)) {
        ready_line_ = *line;
        return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline || !child_->Wait(std::chrono::seconds(2))) {
      Kill();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Feeder::Kill() {
  if (!child_) return;
  child_->Signal(SIGKILL);
  child_->Wait(std::chrono::seconds(5));
  child_.reset();
}

bool Feeder::Restart(std::chrono::milliseconds timeout) {
  Kill();
  return Start(timeout);
}

bool Feeder::running() { return child_ && child_->running(); }

std::string Feeder::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

SrtFeeder::SrtFeeder(SrtMode mode, int port, const FeedSpec& spec, const std::string& log_path,
                     const std::string& passphrase)
    : Feeder({}, "Setting pipeline to PLAYING", log_path), mode_(mode), port_(port) {
  argv_ = Words(Sources(spec, true, 0));
  argv_.insert(argv_.begin(), kGstLaunch);
  // alignment=7: whole 1316-byte SRT payloads of seven TS packets.
  const std::string uri = "srt://127.0.0.1:" + std::to_string(port) +
                          (mode == SrtMode::kCaller ? "?mode=caller" : "?mode=listener");
  for (const std::string& word : Words("mpegtsmux name=mux alignment=7 ! srtsink uri=" + uri)) {
    argv_.push_back(word);
  }
  if (!passphrase.empty()) argv_.push_back("passphrase=" + passphrase);
}

bool SrtFeeder::Start(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (mode_ == SrtMode::kCaller && !UdpPortBound(port_)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Feeder::Start(std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now()));
}

RtspFeeder::RtspFeeder(const std::string& path, const FeedSpec& spec, const std::string& log_path,
                       int port)
    : Feeder({RTSP_TEST_SERVER_BIN, "--port", std::to_string(port), "--path", path,
              "--video-pattern", spec.pattern, "--tone-hz", std::to_string(spec.tone_hz),
              "--width", std::to_string(spec.width), "--height", std::to_string(spec.height),
              "--fps", std::to_string(spec.fps)},
             "READY ", log_path) {
  if (spec.audio == AudioCodec::kNone) argv_.push_back("--no-audio");
}

bool RtspFeeder::Start(std::chrono::milliseconds timeout) {
  if (!Feeder::Start(timeout)) return false;
  url_ = ready_line().substr(std::string("READY ").size());
  // rtsp://127.0.0.1:<port>/path: pin the port, so a restart comes back on it.
  const size_t colon = url_.rfind(':');
  argv_[2] = url_.substr(colon + 1, url_.find('/', colon) - colon - 1);
  return true;
}

bool WriteMediaFile(const std::string& path, const FeedSpec& spec, double seconds,
                    const std::string& log_path) {
  const std::string extension = path.substr(path.rfind('.') + 1);
  std::string mux;
  if (extension == "mp4") mux = "mp4mux";
  else if (extension == "mkv") mux = "matroskamux";
  else if (extension == "ts") mux = "mpegtsmux";
  else return false;
  std::vector<std::string> argv =
      Words(Sources(spec, false, seconds) + " " + mux + " name=mux ! filesink");
  argv.insert(argv.begin(), kGstLaunch);
  argv.push_back("location=" + path);
  ChildProcess child(argv, log_path);
  const auto status = child.Wait(std::chrono::seconds(60));
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

}  // namespace bridgecast::test
