#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agenda/store/archive_index.hpp"
#include "agenda/store/conference_store.hpp"
#include "signaling/http.hpp"
#include "signaling/token.hpp"

namespace bridgecast::signaling {

// The archive over HTTPS (docs/protocol.md, "Archive"): the session list, each
// session as HLS VOD (playlist from the index, segments from disk), its
// timeline and minutes, the recording status, and the review page.
// Reviewer, chair and operator tokens of a conference may read its session;
// the token comes as a bearer header, as the review cookie (set by
// GET .../access for the review page) or as ?token= (for external players
// fetching segments). Main loop only.
class ArchiveHttp {
 public:
  struct Recording {
    std::string conference;                        // whose recorder status() describes
    std::function<nlohmann::json()> status;       // GET /api/recording
    std::function<bool(std::string_view)> active;  // is this session being recorded now?
  };

  ArchiveHttp(const agenda::ConferenceStore& store, const agenda::ArchiveIndex& index,
              std::string archive_root, const TokenSigner& signer, Recording recording,
              std::string base_url);

  // Nothing when `request` is not for the archive.
  std::optional<HttpResponse> Handle(const HttpRequest& request) const;

 private:
  struct Access {
    TokenClaims claims;
    std::string token;
    // Came as ?token= (an external player): segment links must carry it on.
    bool in_query = false;
  };
  Result<Access> Authorize(const HttpRequest& request) const;
  HttpResponse Sessions(const Access& access) const;
  HttpResponse Playlist(const std::string& session, const Access& access) const;
  // timeline.json, minutes.json or minutes.html.
  HttpResponse Record(const std::string& session, std::string_view resource) const;
  HttpResponse Segment(const std::string& session, std::string_view name) const;
  // Hands the bearer token back as a cookie scoped to the session's path, so
  // the review page's player and minutes links carry no token in a URL.
  HttpResponse GrantCookie(const std::string& session, const Access& access) const;

  const agenda::ConferenceStore& store_;
  const agenda::ArchiveIndex& index_;
  std::string archive_root_;
  const TokenSigner& signer_;
  Recording recording_;
  std::string base_url_;
};

// The value of `key` in a query string ("a=1&token=x"), not percent-decoded;
// empty if absent.
std::string QueryValue(std::string_view query, std::string_view key);
// The value of cookie `name` in a Cookie header ("a=1; bc_review=x"); empty if absent.
std::string CookieValue(std::string_view header, std::string_view name);

// The review cookie: the session's token, for one hour, on its archive path only.
inline constexpr std::string_view kReviewCookie = "bc_review";

}  // namespace bridgecast::signaling
