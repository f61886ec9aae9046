#pragma once

#include <gst/gst.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "ingest/ingest.hpp"
#include "media/gst_ptr.hpp"
#include "media/program.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::media {

struct NullProgramListener final : Program::Listener {
  void OnProgramError(const std::string& message) override { errors.push_back(message); }
  std::vector<std::string> errors;
};

namespace test {

inline void GstOnce() { gst_init(nullptr, nullptr); }

inline ProgramConfig SmallProgram() {
  ProgramConfig c;
  c.width = 320;
  c.height = 180;
  c.fps = 15;
  c.video_bitrate = Bitrate::KilobitsPerSecond(300);
  c.capture_stamp = true;  // the recorder tests read it back
  return c;
}

using bridgecast::test::RunLoopFor;
using bridgecast::test::RunLoopUntil;

struct NullIngestListener final : ingest::Ingest::Listener {
  void OnIngestChanged() override {}
};

// A program on the test pattern, for tests that attach branches to its tees;
// created, not started (attach counters first, then Start()).
class TestProgram {
 public:
  explicit TestProgram(const ProgramConfig& config = SmallProgram()) {
    GstOnce();
    auto created = Program::Create(config, listener, clock_);
    REQUIRE(created.ok());
    program_ = std::move(*created);
    auto sources = ingest::Ingest::Create(*program_, {}, {}, ingest_listener_);
    REQUIRE(sources.ok());
    ingest_ = std::move(*sources);
  }
  Program& operator*() { return *program_; }
  Program* operator->() { return program_.get(); }
  // Starts the program and its test pattern; returns once the pattern is on
  // air (before, the program shows the slate).
  Status Start() {
    Status started = program_->Start();
    if (!started) return started;
    ingest_->Start();
    RunLoopUntil([&] { return ingest_->on_air().has_value(); }, std::chrono::seconds(5));
    if (!ingest_->on_air()) return Error{"media_failed", "the test pattern did not go on air"};
    return started;
  }

  NullProgramListener listener;

 private:
  SteadyClock clock_;
  NullIngestListener ingest_listener_;
  std::unique_ptr<Program> program_;
  std::unique_ptr<ingest::Ingest> ingest_;
};

// A tee branch ending in a fakesink, counting RTP packets.
class RtpCounter {
 public:
  RtpCounter(Program& program, GstElement* tee) {
    GstElementPtr sink = MakeElement("fakesink");
    g_object_set(sink.get(), "sync", FALSE, "async", FALSE, nullptr);
    GstPadPtr sink_pad(gst_element_get_static_pad(sink.get(), "sink"));
    gst_pad_add_probe(
        sink_pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad* pad, GstPadProbeInfo*, gpointer data) {
          auto* self = static_cast<RtpCounter*>(data);
          if (self->packets_++ == 0) {
            GstCapsPtr caps(gst_pad_get_current_caps(pad));
            GCharPtr text(caps ? gst_caps_to_string(caps.get()) : nullptr);
            std::lock_guard lock(self->mutex_);
            self->caps_ = ToString(text);
          }
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
    GstElement* raw = AddToBin(GST_BIN(program.pipeline()), std::move(sink));
    GstPadPtr tee_pad(gst_element_request_pad_simple(tee, "src_%u"));
    gst_pad_link(tee_pad.get(), sink_pad.get());
    gst_element_sync_state_with_parent(raw);
  }
  int packets() const { return packets_.load(); }
  std::string caps() {
    std::lock_guard lock(mutex_);
    return caps_;
  }

 private:
  std::atomic<int> packets_{0};
  std::mutex mutex_;
  std::string caps_;
};

}  // namespace test
}  // namespace bridgecast::media
