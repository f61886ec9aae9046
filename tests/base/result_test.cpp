#include "base/result.hpp"

#include <catch2/catch.hpp>

namespace bridgecast {

TEST_CASE("Result holds a value or an error with a code") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Error{"bad_thing", "it went wrong"};
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_thing");
  CHECK(bad.error().message == "it went wrong");
}

TEST_CASE("Status is ok or an error") {
  Status ok = Ok{};
  CHECK(ok);
  Status failed = Error{"io_error", "disk"};
  CHECK_FALSE(failed);
}

}  // namespace bridgecast
