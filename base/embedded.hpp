#pragma once

#include <optional>
#include <span>
#include <string_view>

// Files compiled into the binary (cmake/Embed.cmake): the reference conference
// and the web pages, so a clone runs with no data installed.
namespace bridgecast::embedded {

struct File {
  std::string_view path;
  std::string_view data;
};

std::span<const File> Files();
std::optional<std::string_view> Find(std::string_view path);

}  // namespace bridgecast::embedded
