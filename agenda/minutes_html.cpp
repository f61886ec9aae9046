#include "agenda/minutes_html.hpp"

#include <cstdio>

namespace bridgecast::agenda {
namespace {

constexpr const char* kStyle = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#111;line-height:1.4}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .45em;vertical-align:top;text-align:left}
th{background:#eee}.num{text-align:right;white-space:nowrap}.muted{color:#666}
.wide{overflow-x:auto;-webkit-overflow-scrolling:touch}
@media (max-width:600px){body{margin:.6em}table{font-size:.8em}h1{font-size:1.2em}}
@media print{body{margin:1cm}a{color:inherit;text-decoration:none}tr{break-inside:avoid}}
)";

class Page {
 public:
  explicit Page(Millis utc_offset) : utc_offset_(utc_offset) {}

  Page& Raw(std::string_view html) {
    out_ += html;
    return *this;
  }
  Page& Text(std::string_view text) {
    out_ += EscapeHtml(text);
    return *this;
  }
  Page& Cell(std::string_view text, const char* cls = nullptr) {
    out_ += cls ? std::string("<td class=\"") + cls + "\">" : std::string("<td>");
    return Text(text).Raw("</td>");
  }
  // `play`: with ▶, for a link that starts something (not the end of a range).
  Page& Link(const std::optional<MinutesLink>& link, bool play = true) {
    if (!link) return Raw("<span class=\"muted\">—</span>");
    if (link->url.empty()) return Text(Duration(link->media));
    return Raw("<a href=\"")
        .Text(link->url)
        .Raw(play ? "\">▶ " : "\">")
        .Text(Duration(link->media))
        .Raw("</a>");
  }

  // "08:05:03", in the conference's timezone.
  std::string Clock(Timestamp t) const {
    const auto local = t + utc_offset_;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::hh_mm_ss<Millis> hms(local - day);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
  }
  std::string Clock(const std::optional<Timestamp>& t) const { return t ? Clock(*t) : "—"; }

  // The conference-local calendar day of `t`: ISO "2023-11-16" or "16/11/2023".
  std::string Day(Timestamp t, bool iso) const {
    const std::chrono::year_month_day ymd(
        std::chrono::floor<std::chrono::days>(t + utc_offset_));
    char buf[16];
    const int y = static_cast<int>(ymd.year());
    const unsigned m = static_cast<unsigned>(ymd.month());
    const unsigned d = static_cast<unsigned>(ymd.day());
    if (iso) {
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    } else {
      std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", d, m, y);
    }
    return buf;
  }

  // "1:02:03" or "2:03".
  static std::string Duration(Millis d) {
    const long long total = d.count() / 1000;
    char buf[32];
    if (total >= 3600) {
      std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                    total % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%lld:%02lld", total / 60, total % 60);
    }
    return buf;
  }

  // "3 phút 28 giây", "1 giờ 5 phút", "0 giây".
  static std::string SpokenDuration(Millis d) {
    const long long total = d.count() / 1000;
    std::string out;
    const auto part = [&](long long n, const char* unit) {
      if (n == 0) return;
      if (!out.empty()) out += ' ';
      out += std::to_string(n) + unit;
    };
    part(total / 3600, " giờ");
    part(total / 60 % 60, " phút");
    part(total % 60, " giây");
    return out.empty() ? "0 giây" : out;
  }

  std::string Offset() const {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(utc_offset_).count();
    char buf[40];
    std::snprintf(buf, sizeof buf, "UTC%c%lld:%02lld", minutes < 0 ? '-' : '+',
                  std::llabs(minutes) / 60, std::llabs(minutes) % 60);
    return buf;
  }

  std::string Take() { return std::move(out_); }

 private:
  Millis utc_offset_;
  std::string out_;
};

// Why a floor grant ended, when the chair did not take it back.
std::string_view FloorEndLabel(std::string_view reason) {
  if (reason == "disconnected") return "mất kết nối";
  if (reason == "conference_ended") return "hội nghị kết thúc";
  return "";
}

std::string_view StatusLabel(QuestionStatus status) {
  switch (status) {
    case QuestionStatus::kSubmitted: return "Chờ duyệt";
    case QuestionStatus::kApproved: return "Đã duyệt";
    case QuestionStatus::kAnswered: return "Đã trả lời";
    case QuestionStatus::kRejected: return "Không trả lời";
  }
  return "";
}

void WriteHeader(Page& p, const Minutes& m) {
  const ConferenceSpec& spec = *m.spec;
  p.Raw("<p class=\"muted\">Biên bản hội nghị</p><h1>").Text(spec.title).Raw("</h1>\n<p>");
  // The day it ran; the planned one only when it differs or it has not run.
  if (m.started_at) {
    p.Raw("Ngày ").Text(p.Day(*m.started_at, false));
    if (!spec.date.empty() && spec.date != p.Day(*m.started_at, true)) {
      p.Raw(" <span class=\"muted\">(dự kiến ").Text(spec.date).Raw(")</span>");
    }
  } else {
    p.Raw("Dự kiến ngày ").Text(spec.date);
  }
  p.Raw(" · ").Text(spec.host_name).Raw("<br>Chủ trì: ");
  p.Text(spec.chair.name);
  if (!spec.chair.title.empty()) p.Raw(", ").Text(spec.chair.title);
  p.Raw("<br>Bắt đầu ").Text(p.Clock(m.started_at)).Raw(" · kết thúc ").Text(p.Clock(m.ended_at));
  p.Raw(" (giờ ").Text(p.Offset()).Raw(")");
  p.Raw(" · ghi hình ").Text(Page::Duration(m.recorded));
  if (!m.review_url.empty()) p.Raw(" · <a href=\"").Text(m.review_url).Raw("\">xem lại</a>");
  p.Raw("</p>\n");
}

void WriteAgenda(Page& p, const Minutes& m) {
  p.Raw("<h2>Chương trình</h2>\n<div class=\"wide\"><table><tr><th>#</th><th>Nội dung</th><th>Dự kiến</th>"
        "<th>Thực tế</th><th>Thời lượng</th><th>Ghi hình</th></tr>\n");
  int n = 0;
  for (const MinutesItem& item : m.agenda) {
    p.Raw("<tr>").Cell(std::to_string(++n), "num").Cell(item.title);
    p.Cell(std::to_string(item.planned.count()) + " phút", "num");
    std::string actual;
    for (const Interval& run : item.runs) {
      if (!actual.empty()) actual += ", ";
      actual += p.Clock(run.start) + "–" + p.Clock(run.end);
    }
    p.Cell(actual.empty() ? "—" : actual).Cell(item.runs.empty() ? "—" : Page::Duration(item.actual), "num");
    p.Raw("<td>");
    if (item.chapters.empty()) p.Link(std::nullopt);
    for (const MinutesLink& link : item.chapters) p.Link(link).Raw(" ");
    p.Raw("</td></tr>\n");
  }
  p.Raw("</table></div>\n");
}

void WriteAttendance(Page& p, const Minutes& m) {
  std::size_t checked_in = 0;
  std::int64_t headcount = 0;
  for (const PointAttendance& a : m.attendance.points) {
    if (a.headcount) {
      ++checked_in;
      headcount += *a.headcount;
    }
  }
  p.Raw("<h2>Điểm danh</h2>\n<p>").Text(std::to_string(checked_in)).Raw("/");
  p.Text(std::to_string(m.attendance.points.size())).Raw(" điểm cầu đã điểm danh, ");
  p.Text(std::to_string(headcount)).Raw(" đại biểu.</p>\n");
  p.Raw("<div class=\"wide\"><table><tr><th>#</th><th>Điểm cầu</th><th>Số đại biểu</th><th>Đại biểu</th>"
        "<th>Kết nối lần đầu</th><th>Thời gian kết nối</th></tr>\n");
  int n = 0;
  for (const PointAttendance& a : m.attendance.points) {
    p.Raw("<tr>").Cell(std::to_string(++n), "num").Cell(a.name);
    p.Cell(a.headcount ? std::to_string(*a.headcount) : "chưa điểm danh", "num").Raw("<td>");
    for (std::size_t i = 0; i < a.delegates.size(); ++i) {
      if (i) p.Raw("<br>");
      p.Text(a.delegates[i].name);
      if (!a.delegates[i].title.empty()) p.Raw(" <span class=\"muted\">(").Text(a.delegates[i].title).Raw(")</span>");
    }
    p.Raw("</td>").Cell(p.Clock(a.first_join)).Cell(Page::Duration(a.connected), "num");
    p.Raw("</tr>\n");
  }
  p.Raw("</table></div>\n");
}

void WriteQuestions(Page& p, const Minutes& m) {
  p.Raw("<h2>Câu hỏi từ các điểm cầu</h2>\n");
  if (m.questions.empty()) {
    p.Raw("<p class=\"muted\">Không có câu hỏi.</p>\n");
    return;
  }
  p.Raw("<div class=\"wide\"><table><tr><th>#</th><th>Điểm cầu</th><th>Nội dung</th><th>Gửi lúc</th>"
        "<th>Kết quả</th><th>Ghi hình</th></tr>\n");
  for (const MinutesQuestion& mq : m.questions) {
    const Question& q = mq.question;
    std::string outcome(StatusLabel(q.status));
    if (!q.reason.empty()) outcome += ": " + q.reason;
    p.Raw("<tr>").Cell(std::to_string(q.id), "num").Cell(mq.point_name).Cell(q.text);
    p.Cell(p.Clock(q.submitted_at)).Cell(outcome).Raw("<td>").Link(mq.link).Raw("</td></tr>\n");
  }
  p.Raw("</table></div>\n");
}

void WriteFloor(Page& p, const Minutes& m) {
  p.Raw("<h2>Phát biểu tại hội nghị</h2>\n");
  if (m.floor.empty()) {
    p.Raw("<p class=\"muted\">Không có điểm cầu phát biểu.</p>\n");
    return;
  }
  // One sentence per grant: "Phát biểu: Thành ủy Hà Nội, 10:05:12–10:08:40 (3 phút 28 giây)".
  p.Raw("<ol>\n");
  for (const MinutesFloorGrant& f : m.floor) {
    p.Raw("<li>").Text("Phát biểu: " + f.point_name + ", ");
    if (f.revoked) {
      p.Text(p.Clock(f.granted) + "–" + p.Clock(*f.revoked) + " (" +
             Page::SpokenDuration(f.duration) + ")");
    } else {
      p.Text("từ " + p.Clock(f.granted) + ", chưa kết thúc (" + Page::SpokenDuration(f.duration) +
             ")");
    }
    if (const std::string_view why = FloorEndLabel(f.reason); !why.empty()) {
      p.Raw(" <span class=\"muted\">(").Text(why).Raw(")</span>");
    }
    if (f.link) {
      p.Raw(" · ghi hình ").Link(f.link);
      if (f.end_link) p.Raw("–").Link(f.end_link, false);
    }
    p.Raw("</li>\n");
  }
  p.Raw("</ol>\n");
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ToHtml(const Minutes& m) {
  Page p(m.utc_offset);
  p.Raw("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Biên bản: ");
  p.Text(m.spec->title).Raw("</title><style>").Raw(kStyle).Raw("</style></head><body>\n");
  WriteHeader(p, m);
  WriteAgenda(p, m);
  WriteAttendance(p, m);
  WriteQuestions(p, m);
  WriteFloor(p, m);
  p.Raw("</body></html>\n");
  return p.Take();
}

}  // namespace bridgecast::agenda
