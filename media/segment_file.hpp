#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.hpp"

namespace bridgecast::media {

// One archive segment being written: every Write goes straight to the kernel
// (no user-space buffer), so what was written survives a kill -9 of the node.
class SegmentFile {
 public:
  // Creates or truncates `path`. Error archive_unwritable.
  static Result<SegmentFile> Create(const std::string& path);
  SegmentFile(SegmentFile&& other) noexcept;
  SegmentFile& operator=(SegmentFile&& other) noexcept;
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;
  ~SegmentFile();

  // Writes all of `bytes` (retrying short writes). Error archive_write_failed.
  Status Write(std::span<const std::uint8_t> bytes);
  // Closes the file; error archive_write_failed if the kernel reports a
  // deferred write error.
  Status Close();

  const std::string& path() const { return path_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  SegmentFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
  std::uint64_t bytes_ = 0;
};

}  // namespace bridgecast::media
