#include "media/main_loop.hpp"

#include <glib.h>

namespace bridgecast::media {

void PostToMainLoop(std::function<void()> task) {
  auto* heap = new std::function<void()>(std::move(task));
  g_idle_add_full(
      G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        (*static_cast<std::function<void()>*>(data))();
        return G_SOURCE_REMOVE;
      },
      heap, [](gpointer data) { delete static_cast<std::function<void()>*>(data); });
}

void PostIfAlive(std::weak_ptr<char> watch, std::function<void()> task) {
  PostToMainLoop([watch = std::move(watch), task = std::move(task)] {
    if (!watch.expired()) task();
  });
}

}  // namespace bridgecast::media
