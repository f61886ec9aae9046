#include "signaling/archive_http.hpp"

#include <glib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "agenda/minutes.hpp"
#include "agenda/minutes_html.hpp"
#include "agenda/store/session_timeline.hpp"
#include "agenda/timestamp.hpp"
#include "base/embedded.hpp"
#include "media/segment_name.hpp"
#include "signaling/hls_playlist.hpp"

namespace bridgecast::signaling {
namespace {

constexpr std::string_view kPrefix = "/api/archive/";
constexpr std::uintmax_t kMaxSegmentBytes = 256 * 1024 * 1024;

HttpResponse Json(int status, const nlohmann::json& body) {
  return HttpResponse{status, "application/json", body.dump(), false};
}

HttpResponse Refuse(int status, std::string_view code, std::string_view message) {
  return Json(status, {{"code", code}, {"message", message}});
}

// Session ids are conference ids: [a-z0-9-]{1,64}.
bool IsSessionId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

// The conference's UTC offset at `t` ("Asia/Ho_Chi_Minh" → 7 h); 0 if unknown.
agenda::Millis UtcOffset(const std::string& timezone, agenda::Timestamp t) {
  if (timezone.empty()) return agenda::Millis(0);
  GTimeZone* zone = g_time_zone_new_identifier(timezone.c_str());
  if (!zone) return agenda::Millis(0);
  const gint64 seconds = agenda::ToUnixMillis(t) / 1000;
  const int interval = g_time_zone_find_interval(zone, G_TIME_TYPE_UNIVERSAL, seconds);
  const agenda::Millis offset(interval < 0 ? 0 : 1000LL * g_time_zone_get_offset(zone, interval));
  g_time_zone_unref(zone);
  return offset;
}

}  // namespace

namespace {

// The value of `key` in "k1=v1<sep>k2=v2"; `trim` drops the spaces after a
// separator (cookies have them, query strings do not).
std::string PairValue(std::string_view list, char separator, std::string_view key, bool trim) {
  while (!list.empty()) {
    const size_t end = list.find(separator);
    std::string_view pair = list.substr(0, end);
    while (trim && !pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=') {
      return std::string(pair.substr(key.size() + 1));
    }
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace

std::string QueryValue(std::string_view query, std::string_view key) {
  return PairValue(query, '&', key, false);
}

std::string CookieValue(std::string_view header, std::string_view name) {
  return PairValue(header, ';', name, true);
}

ArchiveHttp::ArchiveHttp(const agenda::ConferenceStore& store, const agenda::ArchiveIndex& index,
                         std::string archive_root, const TokenSigner& signer, Recording recording,
                         std::string base_url)
    : store_(store),
      index_(index),
      archive_root_(std::move(archive_root)),
      signer_(signer),
      recording_(std::move(recording)),
      base_url_(std::move(base_url)) {}

Result<ArchiveHttp::Access> ArchiveHttp::Authorize(const HttpRequest& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  std::string token;
  bool in_query = false;
  if (request.authorization.starts_with(kBearer)) {
    token = request.authorization.substr(kBearer.size());
  } else if (token = CookieValue(request.cookie, kReviewCookie); token.empty()) {
    token = QueryValue(request.query, "token");
    in_query = true;
  }
  if (token.empty()) {
    return Error{"bad_token", "send Authorization: Bearer <token> or ?token=<token>"};
  }
  auto claims = signer_.Verify(token);
  if (!claims) return claims.error();
  return Access{*claims, token, in_query};
}

std::optional<HttpResponse> ArchiveHttp::Handle(const HttpRequest& request) const {
  if (request.path == "/review" || request.path == "/static/hls.light.min.js") {
    const bool page = request.path == "/review";
    const auto file = embedded::Find(page ? "web/review.html"
                                          : "web/node_modules/hls.js/dist/hls.light.min.js");
    if (!file) return Refuse(404, "not_found", "no such page");
    return HttpResponse{200, page ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8",
                        std::string(*file), true};
  }
  const bool status = request.path == "/api/recording";
  if (!status && !request.path.starts_with(kPrefix)) return std::nullopt;

  auto access = Authorize(request);
  if (!access) return Refuse(401, access.error().code, access.error().message);
  const Role role = access->claims.role;
  if (status) {
    if ((role != Role::kOperator && role != Role::kChair) ||
        access->claims.conference != recording_.conference) {
      return Refuse(403, "forbidden", "this is for the chair and the operator of this conference");
    }
    return Json(200, recording_.status());
  }
  if (role != Role::kReviewer && role != Role::kOperator && role != Role::kChair) {
    return Refuse(403, "forbidden", "the archive is for reviewers, the chair and the operator");
  }
  const std::string_view rest = std::string_view(request.path).substr(kPrefix.size());
  if (rest == "sessions") return Sessions(*access);

  const size_t slash = rest.find('/');
  const std::string_view session = rest.substr(0, slash);
  const std::string_view resource =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (!IsSessionId(session) || resource.empty() || resource.find('/') != std::string_view::npos) {
    return Refuse(400, "bad_path", "expected /api/archive/<session>/<resource>");
  }
  if (session != access->claims.conference) {
    return Refuse(403, "forbidden", "the token is for another conference");
  }
  const std::string id(session);
  if (resource == "index.m3u8") return Playlist(id, *access);
  if (resource == "access") return GrantCookie(id, *access);
  if (resource == "timeline.json" || resource == "minutes.json" || resource == "minutes.html") {
    return Record(id, resource);
  }
  if (media::SegmentName::Parse(resource)) return Segment(id, resource);
  return Refuse(404, "not_found", "no such archive resource");
}

HttpResponse ArchiveHttp::Sessions(const Access& access) const {
  auto sessions = index_.Sessions();
  if (!sessions) return Refuse(500, sessions.error().code, sessions.error().message);
  nlohmann::json list = nlohmann::json::array();
  for (const agenda::ArchivedSession& s : *sessions) {
    if (s.id != access.claims.conference) continue;
    // The figures are the real run's; earlier labels are its rehearsals.
    const std::uint64_t current = agenda::CurrentLabel(store_, s.id);
    agenda::ArchivedLabel real{current};
    nlohmann::json rehearsals = nlohmann::json::array();
    for (const agenda::ArchivedLabel& label : s.labels) {
      if (label.rehearsal == current) {
        real = label;
      } else if (label.rehearsal < current) {
        rehearsals.push_back({{"rehearsal", label.rehearsal + 1},
                              {"segments", label.segments},
                              {"duration_s", label.duration.count() / 1000.0}});
      }
    }
    list.push_back({{"id", s.id},
                    {"title", s.title},
                    {"first_recorded", agenda::ToIso8601(s.first_wall)},
                    {"duration_s", real.duration.count() / 1000.0},
                    {"runs", real.runs},
                    {"segments", real.segments},
                    {"bytes", real.bytes},
                    {"recording", recording_.active(s.id)},
                    {"rehearsals", std::move(rehearsals)}});
  }
  return Json(200, {{"sessions", std::move(list)}});
}

HttpResponse ArchiveHttp::Playlist(const std::string& session, const Access& access) const {
  auto segments = index_.Segments(session);
  if (!segments) return Refuse(500, segments.error().code, segments.error().message);
  // Only the real run plays: a rehearsal's recordings are listed, not served.
  const std::uint64_t label = agenda::CurrentLabel(store_, session);
  if (std::none_of(segments->begin(), segments->end(),
                   [&](const agenda::ArchivedSegment& s) { return s.rehearsal == label; })) {
    return Refuse(404, "unknown_session", "nothing recorded for " + session);
  }
  // Players fetch segments relative to the playlist: one that was given the
  // token in the URL needs it on each segment; the review page's cookie or a
  // bearer header needs nothing in the URL.
  const std::string suffix = access.in_query ? "?token=" + access.token : "";
  std::vector<HlsSegment> hls;
  for (const agenda::ArchivedSegment& s : agenda::PlayableSegments(*segments, label)) {
    hls.push_back({s.file + suffix, s.duration, s.run});
  }
  return HttpResponse{200, "application/vnd.apple.mpegurl",
                      HlsPlaylist(hls, recording_.active(session)), false};
}

HttpResponse ArchiveHttp::Record(const std::string& session, std::string_view resource) const {
  auto loaded = agenda::LoadTimeline(store_, index_, session);
  if (!loaded) {
    const bool unknown = loaded.error().code == "unknown_session";
    return Refuse(unknown ? 404 : 500, loaded.error().code, loaded.error().message);
  }
  if (resource == "timeline.json") return Json(200, agenda::ToJson(loaded->timeline));
  const agenda::Conference& conference = *store_.Find(session);
  agenda::MinutesContext context;
  // The review page takes the session from the query and the time from the fragment.
  context.review_url = base_url_ + "/review?s=" + session;
  context.now = agenda::WallNow();
  context.utc_offset = UtcOffset(conference.spec().timezone,
                                 conference.state().started_at.value_or(context.now));
  const agenda::Minutes minutes =
      agenda::BuildMinutes(conference, loaded->journal, loaded->timeline, context);
  if (resource == "minutes.json") return Json(200, agenda::ToJson(minutes));
  return HttpResponse{200, "text/html; charset=utf-8", agenda::ToHtml(minutes), false};
}

HttpResponse ArchiveHttp::GrantCookie(const std::string& session, const Access& access) const {
  HttpResponse response = Json(200, {{"expires_s", 3600}});
  response.set_cookie = std::string(kReviewCookie) + "=" + access.token + "; Path=/api/archive/" +
                        session + "/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict";
  return response;
}

HttpResponse ArchiveHttp::Segment(const std::string& session, std::string_view name) const {
  auto segments = index_.Segments(session);
  if (!segments) return Refuse(500, segments.error().code, segments.error().message);
  const bool indexed = std::any_of(segments->begin(), segments->end(),
                                   [&](const agenda::ArchivedSegment& s) { return s.file == name; });
  if (!indexed) return Refuse(404, "not_found", "no such segment");
  const std::string path = archive_root_ + "/" + session + "/" + std::string(name);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxSegmentBytes) return Refuse(500, "archive_error", "segment unreadable");
  std::ifstream in(path, std::ios::binary);
  std::string body(static_cast<size_t>(size), '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(size))) {
    return Refuse(500, "archive_error", "segment unreadable");
  }
  return HttpResponse{200, "video/mp2t", std::move(body), false};
}

}  // namespace bridgecast::signaling
