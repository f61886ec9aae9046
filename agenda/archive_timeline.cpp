#include "agenda/archive_timeline.hpp"

#include <algorithm>
#include <utility>

#include "agenda/journal_runs.hpp"

namespace bridgecast::agenda {
namespace {

using nlohmann::json;

Millis TotalDuration(const std::vector<RecordedSegment>& segments) {
  Millis total{0};
  for (const RecordedSegment& s : segments) total += s.duration;
  return total;
}

// Like MediaTimeAt, but an instant outside the recording is pinned to its
// nearest end, so an interval can be clipped to what was recorded.
Millis ClampedMediaTime(const std::vector<RecordedSegment>& segments, Timestamp t) {
  if (segments.empty() || t < segments.front().wall_start) return Millis(0);
  return MediaTimeAt(segments, t).value_or(TotalDuration(segments));
}

class TimelineBuilder {
 public:
  TimelineBuilder(const ConferenceSpec& spec, const std::vector<RecordedSegment>& segments)
      : spec_(spec), segments_(segments) {
    timeline_.duration = TotalDuration(segments);
  }

  void Add(const Event& event) {
    event_ = &event;
    std::visit([&](const auto& payload) { On(payload, event.at); }, event.payload);
  }

  ArchiveTimeline Finish() {
    if (open_) AddChapter(open_->item, open_->since, std::nullopt);
    if (floor_) AddSpeaking(std::nullopt, {});
    std::stable_sort(timeline_.markers.begin(), timeline_.markers.end(),
                     [](const Marker& a, const Marker& b) { return a.at < b.at; });
    return std::move(timeline_);
  }

 private:
  struct OpenItem {
    std::string item;
    Timestamp since;
  };
  struct OpenFloor {
    std::string point;
    Timestamp since;
    std::uint64_t seq;
  };

  void On(const ev::ItemStarted& e, Timestamp at) { open_ = OpenItem{e.item, at}; }
  void On(const ev::ItemEnded& e, Timestamp at) {
    if (open_ && open_->item == e.item) AddChapter(e.item, open_->since, at);
    open_.reset();
  }
  void On(const ev::QuestionSubmitted& e, Timestamp at) {
    AddMarker(ev::QuestionSubmitted::kType, at, e.point, e.question, e.text);
  }
  void On(const ev::QuestionAnswered& e, Timestamp at) {
    AddMarker(ev::QuestionAnswered::kType, at, e.point, e.question, {});
  }
  void On(const ev::QuestionRejected& e, Timestamp at) {
    AddMarker(ev::QuestionRejected::kType, at, e.point, e.question, {});
  }
  void On(const ev::FloorGranted& e, Timestamp at) {
    AddMarker(ev::FloorGranted::kType, at, e.point, 0, {});
    floor_ = OpenFloor{e.point, at, event_->seq};
  }
  void On(const ev::FloorRevoked& e, Timestamp at) {
    AddMarker(ev::FloorRevoked::kType, at, e.point, 0, {});
    if (floor_ && floor_->point == e.point) AddSpeaking(at, e.reason);
    floor_.reset();
  }
  template <typename Other>
  void On(const Other&, Timestamp) {}

  // The media time of the wall-clock interval from `start` to `end` (none: to
  // the end of the media), or nothing when none of it was recorded.
  std::optional<std::pair<Millis, Millis>> Clip(Timestamp start,
                                                std::optional<Timestamp> end) const {
    const Millis media_start = ClampedMediaTime(segments_, start);
    const Millis media_end = end ? ClampedMediaTime(segments_, *end) : timeline_.duration;
    if (media_end <= media_start) return std::nullopt;
    return std::pair{media_start, media_end};
  }

  void AddChapter(const std::string& item, Timestamp start, std::optional<Timestamp> end) {
    const auto media = Clip(start, end);
    if (!media) return;
    std::string title;
    for (const AgendaItemSpec& spec_item : spec_.agenda) {
      if (spec_item.id == item) title = spec_item.title;
    }
    timeline_.chapters.push_back(Chapter{item, std::move(title), media->first, media->second});
  }

  // Ends the open floor grant at `end` (none: it still holds the floor).
  void AddSpeaking(std::optional<Timestamp> end, const std::string& reason) {
    const auto media = Clip(floor_->since, end);
    if (!media) return;
    const BridgePointSpec* point = spec_.FindPoint(floor_->point);
    timeline_.speaking.push_back(SpeakingSegment{floor_->point,
                                                 point ? point->name : floor_->point,
                                                 floor_->seq, media->first, media->second, reason});
  }

  void AddMarker(std::string_view type, Timestamp at, const std::string& point,
                 QuestionId question, const std::string& text) {
    const auto media = MediaTimeAt(segments_, at);
    if (!media) return;
    timeline_.markers.push_back(
        Marker{std::string(type), event_->seq, *media, point, question, text});
  }

  const ConferenceSpec& spec_;
  const std::vector<RecordedSegment>& segments_;
  ArchiveTimeline timeline_;
  std::optional<OpenItem> open_;
  std::optional<OpenFloor> floor_;
  const Event* event_ = nullptr;  // the one being added
};

}  // namespace

std::optional<Millis> MediaTimeAt(const std::vector<RecordedSegment>& segments, Timestamp t) {
  if (segments.empty() || t < segments.front().wall_start) return std::nullopt;
  Millis offset{0};
  for (const RecordedSegment& s : segments) {
    if (t < s.wall_start) return offset;  // in the gap before this segment
    if (t <= s.wall_start + s.duration) return offset + (t - s.wall_start);
    offset += s.duration;
  }
  return std::nullopt;
}

ArchiveTimeline BuildTimeline(const ConferenceSpec& spec, const std::vector<Event>& journal,
                              const std::vector<RecordedSegment>& segments) {
  TimelineBuilder builder(spec, segments);
  for (const Event& event : CurrentRun(journal)) builder.Add(event);
  return builder.Finish();
}

json ToJson(const ArchiveTimeline& timeline) {
  json chapters = json::array();
  for (const Chapter& c : timeline.chapters) {
    chapters.push_back({{"item", c.item},
                        {"title", c.title},
                        {"start_ms", c.start.count()},
                        {"end_ms", c.end.count()}});
  }
  json markers = json::array();
  for (const Marker& m : timeline.markers) {
    json marker = {
        {"type", m.type}, {"seq", m.seq}, {"at_ms", m.at.count()}, {"point", m.point}};
    if (m.question != 0) marker["question"] = m.question;
    if (!m.text.empty()) marker["text"] = m.text;
    markers.push_back(std::move(marker));
  }
  json speaking = json::array();
  for (const SpeakingSegment& s : timeline.speaking) {
    speaking.push_back({{"point", s.point},
                        {"point_name", s.point_name},
                        {"seq", s.seq},
                        {"start_ms", s.start.count()},
                        {"end_ms", s.end.count()},
                        {"reason", s.reason.empty() ? json(nullptr) : json(s.reason)}});
  }
  return {{"duration_ms", timeline.duration.count()},
          {"chapters", std::move(chapters)},
          {"markers", std::move(markers)},
          {"speaking", std::move(speaking)}};
}

}  // namespace bridgecast::agenda
