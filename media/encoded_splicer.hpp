#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridgecast::media {

// Splices a source's own H.264 into the program in place of the node's
// encoder when the source already has the program's format (pass-through),
// and back. Sans-I/O: access units and program pictures with their
// timestamps in, what to send to the payloader out, in timestamp order.
//
// A passed-through access unit is held until the program picture of its time
// reaches the encoder (the mixer's latency later), so the node knows a source
// has stalled before its last picture leaves: it then asks the encoder for a
// keyframe on that very picture (the compositor shows the source's last
// picture there) and splices back at it, with no gap and no step in time.
// Into a pass-through, it splices at the source's first keyframe once the
// encoder's pictures have reached its time. The encoder rests meanwhile.
template <typename Buffer>
class EncodedSplicer {
 public:
  using Nanos = std::chrono::nanoseconds;
  struct Out {
    Nanos pts;
    Buffer buffer;
  };
  struct FrameVerdict {
    std::vector<Out> emit;  // the source's access units due now
    bool keyframe = false;  // encode this picture as a keyframe
    bool encode = true;     // the encoder must encode this picture
  };

  // `frame`: the program's picture interval; `max_queue`: access units held
  // at most (a source that floods drops its oldest).
  explicit EncodedSplicer(Nanos frame, size_t max_queue = 120)
      : frame_(frame), max_queue_(max_queue) {}

  // The source to pass through, or none for the encoder.
  void Want(std::optional<std::string> source) {
    if (source == wanted_) return;
    wanted_ = std::move(source);
    if (!active_) Reset();  // not passing: start over for the new wish
  }
  // The source passed through now (it may be on its way out).
  const std::optional<std::string>& active() const { return active_; }

  // A source's access unit, in arrival order.
  void OnSource(std::string_view id, bool keyframe, Nanos pts, Buffer buffer) {
    const std::optional<std::string>& target = active_ ? active_ : wanted_;
    if (!target || *target != id || leave_at_) return;
    // Into a pass-through only from a keyframe.
    if (!active_ && queue_.empty() && !keyframe) return;
    queue_.push_back({pts, keyframe, std::move(buffer)});
    newest_ = pts;
    while (queue_.size() > max_queue_) {
      queue_.pop_front();
      if (!active_) {
        // The splice-in point is gone: wait for the next keyframe.
        enter_at_.reset();
        while (!queue_.empty() && !queue_.front().keyframe) queue_.pop_front();
      }
    }
  }

  // A program picture of time `pts` is about to reach the encoder.
  FrameVerdict OnProgramFrame(Nanos pts) {
    FrameVerdict v;
    if (!active_) {
      if (wanted_ && !enter_at_ && !queue_.empty()) enter_at_ = queue_.front().pts;
      return v;
    }
    // A source in time has sent past this picture's time by now (it arrives
    // the mixer's latency before the picture reaches the encoder).
    const bool stalled = !newest_ || *newest_ < pts;
    if (!leave_at_ && (stalled || wanted_ != active_)) {
      leave_at_ = pts;
      v.keyframe = true;
    }
    while (!queue_.empty() && queue_.front().pts <= pts &&
           (!leave_at_ || queue_.front().pts < *leave_at_)) {
      v.emit.push_back(Emit(queue_.front().pts, std::move(queue_.front().buffer)));
      queue_.pop_front();
    }
    v.encode = leave_at_.has_value();
    return v;
  }

  // An encoded program picture; what to send on, in order.
  std::vector<Out> OnEncoded(bool keyframe, Nanos pts, Buffer buffer) {
    std::vector<Out> out;
    if (!active_) {
      if (enter_at_ && pts + frame_ / 2 > *enter_at_) {
        // The encoder has reached the source's keyframe: the source from here.
        active_ = wanted_;
        enter_at_.reset();
        return out;
      }
      out.push_back(Emit(pts, std::move(buffer)));
      return out;
    }
    if (leave_at_ && keyframe && pts >= *leave_at_) {
      Reset();
      active_.reset();
      out.push_back(Emit(pts, std::move(buffer)));
    }
    return out;
  }

 private:
  struct Au {
    Nanos pts;
    bool keyframe;
    Buffer buffer;
  };

  Out Emit(Nanos pts, Buffer buffer) {
    // Never back in time at the payloader (an RTP timestamp going back
    // stalls a receiver); the streams' clocks agree only to a few ms.
    if (last_ && pts <= *last_) pts = *last_ + std::chrono::milliseconds(1);
    last_ = pts;
    return {pts, std::move(buffer)};
  }
  void Reset() {
    queue_.clear();
    newest_.reset();
    enter_at_.reset();
    leave_at_.reset();
  }

  Nanos frame_;
  size_t max_queue_;
  std::optional<std::string> wanted_;
  std::optional<std::string> active_;
  std::deque<Au> queue_;
  std::optional<Nanos> newest_;
  std::optional<Nanos> enter_at_;
  std::optional<Nanos> leave_at_;
  std::optional<Nanos> last_;
};

}  // namespace bridgecast::media
