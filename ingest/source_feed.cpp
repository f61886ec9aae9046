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
  gst_app_src_push_buffer(GST_APP_SRC(input_.video), buffer);
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
        std::vector<float> copy(map.size / sizeof(float));
        std::copy_n(reinterpret_cast<const float*>(map.data), copy.size(), copy.data());
        gst_buffer_unmap(in, &map);
        normalizer_.Process(copy.data(), copy.size() / kChannels);
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
  gst_app_src_push_buffer(GST_APP_SRC(input_.audio), buffer);
}

}  // namespace bridgecast::ingest
