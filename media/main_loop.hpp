#pragma once

#include <functional>
#include <memory>

// The one GLib main loop owns all conference and session state. GStreamer
// calls from streaming threads are handed over with PostToMainLoop.
namespace bridgecast::media {

// Runs `task` on the default main context, soon. Safe from any thread.
void PostToMainLoop(std::function<void()> task);

// Guards tasks posted on behalf of an object that may be destroyed before the
// task runs: the owner holds a Lifetime, tasks hold a weak reference.
class Lifetime {
 public:
  Lifetime() : token_(std::make_shared<char>()) {}
  std::weak_ptr<char> Watch() const { return token_; }

 private:
  std::shared_ptr<char> token_;
};

// Posts `task` to the main loop; it runs only if `watch` is still alive then.
void PostIfAlive(std::weak_ptr<char> watch, std::function<void()> task);

}  // namespace bridgecast::media
