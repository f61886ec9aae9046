#include "media/segment_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace bridgecast::media {

Result<SegmentFile> SegmentFile::Create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{"archive_unwritable", "cannot create " + path + ": " + std::strerror(errno)};
  }
  return SegmentFile(fd, path);
}

SegmentFile::SegmentFile(SegmentFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), bytes_(other.bytes_) {}

SegmentFile& SegmentFile::operator=(SegmentFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    bytes_ = other.bytes_;
  }
  return *this;
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status SegmentFile::Write(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Error{"archive_write_failed",
                   "cannot write " + path_ + ": " + std::strerror(n < 0 ? errno : ENOSPC)};
    }
    bytes_ += static_cast<std::uint64_t>(n);
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return Ok{};
}

Status SegmentFile::Close() {
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && ::close(fd) != 0) {
    return Error{"archive_write_failed", "cannot close " + path_ + ": " + std::strerror(errno)};
  }
  return Ok{};
}

}  // namespace bridgecast::media
