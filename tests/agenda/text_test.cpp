#include "agenda/text.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "agenda/errors.hpp"

namespace bridgecast::agenda {
namespace {

std::string Why(const Result<std::string>& r) { return r ? "" : r.error().message; }

}  // namespace

TEST_CASE("limits apply to the text kept: padding is trimmed before it is measured") {
  const std::string name = "Nguyễn Văn An";
  auto padded = CleanText(std::string(650, ' ') + name + std::string(650, ' '), kNameRule);
  REQUIRE(padded);
  CHECK(*padded == name);
  // Too long once trimmed is still too long.
  auto long_name = CleanText(" " + std::string(201, 'a') + " ", kNameRule);
  REQUIRE_FALSE(long_name);
  CHECK(Why(long_name).find("too long") != std::string::npos);
}

TEST_CASE("text that shows nothing is blank, bidi controls are refused, both bad_text") {
  for (const std::string& blank :
       {std::string("\u00A0"), std::string("\u200B"), std::string("\u00A0\u200B\u3000"),
        std::string("\u2060\uFEFF")}) {
    auto r = CleanText(blank, kNameRule);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::kBadText);
    CHECK(Why(r).find("blank") != std::string::npos);
  }
  // An optional title that shows nothing is no title.
  auto title = CleanText("\u200B", kTitleRule);
  REQUIRE(title);
  CHECK(title->empty());
  for (const std::string& bidi : {std::string("Hà Nội\u202E"), std::string("\u2066Huế\u2069")}) {
    auto r = CleanText(bidi, kNameRule);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::kBadText);
    CHECK(Why(r).find("bidirectional") != std::string::npos);
  }
  // A name with a no-break space inside is fine: something shows.
  auto spaced = CleanText("Hà\u00A0Nội", kNameRule);
  REQUIRE(spaced);
  CHECK(*spaced == "Hà\u00A0Nội");
}

TEST_CASE("decomposed Vietnamese comes out composed (NFC)") {
  // "Huế" with e + U+0302 + U+0301.
  auto r = CleanText("Hue\u0302\u0301", kNameRule);
  REQUIRE(r);
  CHECK(*r == "Huế");
}

}  // namespace bridgecast::agenda
