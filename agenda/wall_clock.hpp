#pragma once

#include "agenda/timestamp.hpp"

namespace bridgecast::agenda {

// Injected wall-clock time for the code that stamps events (the gateway):
// production uses SystemWallClock, tests a ManualWallClock.
class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemWallClock final : public WallClock {
 public:
  Timestamp Now() const override { return WallNow(); }
};

class ManualWallClock final : public WallClock {
 public:
  explicit ManualWallClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override { return now_; }
  void Advance(Millis d) { now_ += d; }

 private:
  Timestamp now_;
};

}  // namespace bridgecast::agenda
