#include "ingest/source_feed.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>

#include <algorithm>

namespace bridgecast::ingest {
namespace {

constexpr int kRate = 48000;
constexpr int kChannels = 2;
// A fade this long has no click and no audible overlap.
constexpr float kFadeStep = 1.0f / (kRate * 0.05f);

}  // namespace

SourceFeed::SourceFeed(media::Program& program, media::Program::Input& input, bool normalize,
                       media::LoudnessTarget loudness)
    : program_(program),
      input_(input),
      normalize_(normalize),
      normalizer_(kRate, kChannels, loudness) {}

void SourceFeed::Restart() {
  std::lock_guard lock(mutex_);
  clock_map_.Reset();
}

std::optional<SourceClockMap::Mapped> SourceFeed::Map(GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!buffer || !segment || !GST_BUFFER_PTS_IS_VALID(buffer)) return std::nullopt;
  const guint64 running =
      gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (running == GST_CLOCK_TIME_NONE) return std::nullopt;
  const auto arrival = program_.RunningTime();
  std::lock_guard lock(mutex_);
  return clock_map_.Map(std::chrono::nanoseconds(running), arrival);
}

void SourceFeed::SetCaps(GstElement* appsrc, GstCaps* caps, media::GstCapsPtr& current) {
  std::lock_guard lock(mutex_);
  if (!caps || (current && gst_caps_is_equal(caps, current.get()))) return;
  gst_app_src_set_caps(GST_APP_SRC(appsrc), caps);
  current.reset(gst_caps_ref(caps));
}

void SourceFeed::PushVideo(GstSample* sample) {
  const auto mapped = Map(sample);
  if (!mapped) return;
  frames_.fetch_add(1);
  last_frame_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
  SetCaps(input_.video, gst_sample_get_caps(sample), video_caps_);
  // A shallow copy: new metadata, the same picture memory.
  GstBuffer* buffer = gst_buffer_copy(gst_sample_get_buffer(sample));
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(mapped->pts.count());
  GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
  // No duration: the compositor holds the last picture until the next one
  // (a short hiccup freezes; the stall detector decides when to cut away).
  GST_BUFFER_DURATION(buffer) = GST_CLOCK_TIME_NONE;
  if (mapped->discont) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  {
    std::lock_guard lock(mutex_);
    last_picture_.reset(gst_buffer_ref(buffer));
  }
  video_sent_ns_ = program_.RunningTime().count();
  gst_app_src_push_buffer(GST_APP_SRC(input_.video), buffer);
}

void SourceFeed::KeepAlive() {
  // A live aggregator waits for every input it knows until its latency is
  // up: a silent input would delay the whole program by that much.
  constexpr std::int64_t kVideoQuiet = 80'000'000;
  // Sound only for an input not heard (its fade out done): silence slipped
  // between a heard source's own samples would cut holes into them.
  constexpr std::int64_t kAudioQuiet = 100'000'000;
  // Each filler covers a little more than the time to the next one, so the
  // mixers know at once that the input has nothing newer.
  constexpr int kFillFrames = kRate / 25;  // 40 ms
  constexpr GstClockTime kPictureCovers = 60'000'000;
  const std::int64_t now = program_.RunningTime().count();
  if (now - video_sent_ns_ > kVideoQuiet) {
    const media::ProgramConfig& p = program_.config();
    GstBuffer* picture = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (!last_picture_) {
        // Nothing seen yet: black at the program's size.
        media::GstCapsPtr caps(gst_caps_new_simple(
            "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, p.width,
            "height", G_TYPE_INT, p.height, "framerate", GST_TYPE_FRACTION, p.fps, 1,
            "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr));
        gst_app_src_set_caps(GST_APP_SRC(input_.video), caps.get());
        video_caps_ = std::move(caps);
        const size_t luma = static_cast<size_t>(p.width) * p.height;
        GstBuffer* black = gst_buffer_new_allocate(nullptr, luma * 3 / 2, nullptr);
        gst_buffer_memset(black, 0, 16, luma);
        gst_buffer_memset(black, luma, 128, luma / 2);
        last_picture_.reset(black);
      }
      picture = gst_buffer_copy(last_picture_.get());
    }
    GST_BUFFER_PTS(picture) = static_cast<GstClockTime>(now);
    GST_BUFFER_DURATION(picture) = kPictureCovers;
    gst_app_src_push_buffer(GST_APP_SRC(input_.video), picture);
  }
  if (!audible_ && now - audio_sent_ns_ > kAudioQuiet) {
    {
      std::lock_guard lock(mutex_);
      if (!audio_caps_) {
        audio_caps_.reset(gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
                                              "rate", G_TYPE_INT, kRate, "channels", G_TYPE_INT,
                                              kChannels, "layout", G_TYPE_STRING, "interleaved",
                                              nullptr));
        gst_app_src_set_caps(GST_APP_SRC(input_.audio), audio_caps_.get());
      }
    }
    const size_t bytes = sizeof(float) * kChannels * kFillFrames;
    GstBuffer* silence = gst_buffer_new_allocate(nullptr, bytes, nullptr);
    gst_buffer_memset(silence, 0, 0, bytes);  // 0.0f is all zero bytes
    GST_BUFFER_PTS(silence) = static_cast<GstClockTime>(now);
    GST_BUFFER_DURATION(silence) = gst_util_uint64_scale(kFillFrames, GST_SECOND, kRate);
    gst_app_src_push_buffer(GST_APP_SRC(input_.audio), silence);
  }
}

void SourceFeed::PushEncoded(GstSample* sample) {
  GstCaps* caps = gst_sample_get_caps(sample);
  if (caps && (!encoded_caps_ || !gst_caps_is_equal(caps, encoded_caps_.get()))) {
    encoded_caps_.reset(gst_caps_ref(caps));
    passthrough_capable_ = program_.Matches(caps);
  }
  if (!passthrough_capable_) return;
  const auto mapped = Map(sample);
  if (!mapped) return;
  program_.PushPassthrough(input_.id, gst_sample_get_buffer(sample), mapped->pts);
}

void SourceFeed::PushAudio(GstSample* sample) {
  const auto mapped = Map(sample);
  if (!mapped) return;
  GstBuffer* in = gst_sample_get_buffer(sample);
  const float target = audible_ ? 1.0f : 0.0f;
  if (gain_ == 0.0f && target == 0.0f) {
    // Unheard: keep the loudness estimate current, send nothing to mix.
    if (normalize_) {
      GstMapInfo map;
      if (gst_buffer_map(in, &map, GST_MAP_READ)) {
        const auto* samples = reinterpret_cast<const float*>(map.data);
        unheard_.assign(samples, samples + map.size / sizeof(float));
        gst_buffer_unmap(in, &map);
        normalizer_.Process(unheard_.data(), unheard_.size() / kChannels);
      }
    }
    return;
  }
  SetCaps(input_.audio, gst_sample_get_caps(sample), audio_caps_);
  GstBuffer* buffer = gst_buffer_copy_deep(in);
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) {
    gst_buffer_unref(buffer);
    return;
  }
  auto* samples = reinterpret_cast<float*>(map.data);
  const size_t frames = map.size / (sizeof(float) * kChannels);
  if (normalize_) normalizer_.Process(samples, frames);
  for (size_t f = 0; f < frames; ++f) {
    if (gain_ < target) gain_ = std::min(target, gain_ + kFadeStep);
    if (gain_ > target) gain_ = std::max(target, gain_ - kFadeStep);
    for (int c = 0; c < kChannels; ++c) samples[f * kChannels + c] *= gain_;
  }
  gst_buffer_unmap(buffer, &map);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(mapped->pts.count());
  GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(frames, GST_SECOND, kRate);
  if (mapped->discont) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  audio_sent_ns_ = program_.RunningTime().count();
  gst_app_src_push_buffer(GST_APP_SRC(input_.audio), buffer);
}

}  // namespace bridgecast::ingest
