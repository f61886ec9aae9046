#include "base/clock.hpp"

namespace bridgecast {

TimePoint SteadyClock::Now() const { return std::chrono::steady_clock::now(); }

}  // namespace bridgecast
