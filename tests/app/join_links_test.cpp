#include "app/join_links.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/conference_file.hpp"

namespace bridgecast::app {

TEST_CASE("join links give every point a private link with a valid token") {
  auto spec = LoadConference("");
  REQUIRE(spec.ok());
  auto signer = signaling::TokenSigner::FromKey(std::vector<unsigned char>(32, 7));
  REQUIRE(signer.ok());
  const auto dir = std::filesystem::temp_directory_path() / "bridgecast-join-links-test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "join-links.json").string();
  const nlohmann::json made = JoinLinks(*spec, *signer, "https://127.0.0.1:8443", "AA:BB", 1700000000);
  REQUIRE(WritePrivateFile(path, made.dump(1) + "\n"));

  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  std::ifstream in(path);
  const auto links = nlohmann::json::parse(in);
  CHECK(links == made);
  CHECK(links["certificate_sha256"] == "AA:BB");
  REQUIRE(links["points"].size() == 67);
  const auto& first = links["points"][0];
  CHECK(first["point"] == "ha-noi");
  CHECK(first["name"] == "Thành ủy Hà Nội");
  const std::string token = first["token"];
  CHECK(first["url"] == "https://127.0.0.1:8443/join#t=" + token);
  auto claims = signer->Verify(token);
  REQUIRE(claims.ok());
  CHECK(claims->point == "ha-noi");
  CHECK(claims->role == signaling::Role::kPoint);
  CHECK(claims->conference == spec->id);
  std::filesystem::remove_all(dir);
}

}  // namespace bridgecast::app
