#include "app/join_links.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace bridgecast::app {

Status WritePrivateFile(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Error{"io_error", "cannot create " + temp};
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Error{"io_error", "cannot write " + path};
  }
  return Ok{};
}

nlohmann::json JoinLinks(const agenda::ConferenceSpec& conference,
                         const signaling::TokenSigner& signer, const std::string& base_url,
                         const std::string& certificate_sha256, int64_t issued_at) {
  nlohmann::json points = nlohmann::json::array();
  for (const agenda::BridgePointSpec& point : conference.points) {
    const std::string token = signer.Sign(
        signaling::TokenClaims{conference.id, signaling::Role::kPoint, point.id, issued_at});
    points.push_back({{"point", point.id},
                      {"name", point.name},
                      {"url", base_url + "/join#t=" + token},
                      {"token", token}});
  }
  return {{"conference", {{"id", conference.id}, {"title", conference.title}}},
          {"server", base_url},
          {"certificate_sha256", certificate_sha256},
          {"points", std::move(points)}};
}

}  // namespace bridgecast::app
