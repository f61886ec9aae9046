#include "ingest/whip_source.hpp"

#include <gst/video/video.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <optional>

#include "ingest/ingest.hpp"
#include "media/program.hpp"
#include "tests/ingest/whip_publisher.hpp"
#include "tests/support/run_loop.hpp"

namespace bridgecast::ingest {
namespace {

using test::RunLoopFor;
using test::RunLoopUntil;
using namespace std::chrono_literals;

struct NullProgramListener final : media::Program::Listener {
  void OnProgramError(const std::string&) override {}
};
struct NullIngestListener final : Ingest::Listener {
  void OnIngestChanged() override {}
};

// A 320x180 program whose only source is WHIP ("obs"); watches the mean
// red-difference (V) of the program's pictures, out of the compositor.
class WhipProgram {
 public:
  explicit WhipProgram(bool takeover = false) {
    gst_init(nullptr, nullptr);
    media::ProgramConfig config;
    config.width = 320;
    config.height = 180;
    config.fps = 15;
    config.video_bitrate = Bitrate::KilobitsPerSecond(300);
    auto program = media::Program::Create(config, program_listener_, clock_);
    REQUIRE(program.ok());
    program_ = std::move(*program);
    SourceConfig whip;
    whip.id = "obs";
    whip.kind = SourceKind::kWhip;
    whip.takeover = takeover;
    IngestConfig sources;
    sources.sources = {whip};
    auto ingest = Ingest::Create(*program_, sources, media::IceConfig{{"127.0.0.1"}, ""},
                                 ingest_listener_);
    REQUIRE(ingest.ok());
    ingest_ = std::move(*ingest);
    media::GstElementPtr mixer(gst_bin_get_by_name(GST_BIN(program_->pipeline()), "vmix"));
    media::GstPadPtr mixed(gst_element_get_static_pad(mixer.get(), "src"));
    gst_pad_add_probe(mixed.get(), GST_PAD_PROBE_TYPE_BUFFER, &WhipProgram::OnPicture, this,
                      nullptr);
    REQUIRE(program_->Start());
    ingest_->Start();
  }

  WhipSource& whip() { return *ingest_->Whip(""); }
  std::string state() { return ingest_->Status()["sources"][0]["state"]; }
  std::string input() { return ingest_->Status()["sources"][0]["input"]; }
  std::string reason() { return ingest_->Status()["sources"][0]["reason"]; }
  std::optional<std::string> on_air() { return ingest_->on_air(); }
  int mean_v() const { return mean_v_.load(); }
  int pictures() const { return pictures_.load(); }

  Result<WhipAnswer> Offer(const std::string& sdp) {
    std::optional<Result<WhipAnswer>> out;
    whip().Offer(sdp, [&](Result<WhipAnswer> answer) { out.emplace(std::move(answer)); });
    REQUIRE(RunLoopUntil([&] { return out.has_value(); }, 5s));
    if (!out->ok()) UNSCOPED_INFO(out->error().code << ": " << out->error().message);
    return std::move(*out);
  }

 private:
  static GstPadProbeReturn OnPicture(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<WhipProgram*>(data);
    media::GstCapsPtr caps(gst_pad_get_current_caps(pad));
    GstVideoInfo video;
    GstVideoFrame frame;
    if (!caps || !gst_video_info_from_caps(&video, caps.get()) ||
        !gst_video_frame_map(&frame, &video, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
      return GST_PAD_PROBE_OK;
    }
    const auto* v = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 2));
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 2);
    const int width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, 2);
    const int height = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, 2);
    long sum = 0;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) sum += v[y * stride + x];
    }
    gst_video_frame_unmap(&frame);
    self->mean_v_ = static_cast<int>(sum / (width * height));
    ++self->pictures_;
    return GST_PAD_PROBE_OK;
  }

  NullProgramListener program_listener_;
  NullIngestListener ingest_listener_;
  SteadyClock clock_;
  std::unique_ptr<media::Program> program_;
  std::unique_ptr<Ingest> ingest_;
  std::atomic<int> mean_v_{0};
  std::atomic<int> pictures_{0};
};

// Red is V ≈ 240 in BT.601; the slate's blue is far below.
constexpr int kRedV = 200;

}  // namespace

TEST_CASE("a WHIP publisher goes on air, a second one is busy, and its leaving brings the slate") {
  WhipProgram program;
  CHECK(program.state() == "idle");
  CHECK_FALSE(program.on_air());

  test::WhipPublisher publisher;
  auto answer = program.Offer(publisher.Offer());
  REQUIRE(answer.ok());
  CHECK(answer->session.size() >= 16);
  CHECK_THAT(answer->sdp, Catch::Contains("H264") && Catch::Contains("OPUS") &&
                              Catch::Contains("a=candidate") && Catch::Contains("recvonly"));
  CHECK_THAT(answer->sdp, !Catch::Contains("VP8"));
  publisher.Answer(answer->sdp);

  REQUIRE(RunLoopUntil([&] { return program.on_air() == "obs"; }, 3s));
  CHECK(program.state() == "live");
  const int before = program.pictures();
  REQUIRE(RunLoopUntil([&] { return program.mean_v() > kRedV; }, 2s));
  CHECK(program.pictures() > before);
  // The sound's first packet may come a little after the first picture.
  CHECK(RunLoopUntil([&] { return program.input() == "320x180 15 fps H.264, Opus"; }, 1s));

  test::WhipPublisher second;
  auto busy = program.Offer(second.Offer());
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().code == "busy");
  CHECK(program.on_air() == "obs");

  publisher.Stop();
  REQUIRE(RunLoopUntil([&] { return !program.on_air(); }, 1s));
  CHECK(program.state() != "live");
  REQUIRE(RunLoopUntil([&] { return program.mean_v() < kRedV; }, 1s));
  // Gone without a word: its session ends and the next publisher is welcome.
  REQUIRE(RunLoopUntil([&] { return program.state() == "idle"; }, 7s));
  CHECK(program.reason() == "the publisher left");
  test::WhipPublisher third;
  CHECK(program.Offer(third.Offer()).ok());
}

TEST_CASE("WHIP offers without H.264, not SDP or not sending are refused with the reason") {
  WhipProgram program;
  test::WhipPublisher publisher;
  std::string offer = publisher.Offer();
  std::string vp8 = offer;
  for (size_t at; (at = vp8.find("H264/90000")) != std::string::npos;) {
    vp8.replace(at, 10, "VP8/90000");
  }
  auto refused = program.Offer(vp8);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "unsupported_codec");
  CHECK_THAT(refused.error().message, Catch::Contains("H.264") && Catch::Contains("VP8"));
  CHECK(program.state() == "idle");

  auto not_sdp = program.Offer("hello");
  REQUIRE_FALSE(not_sdp.ok());
  CHECK(not_sdp.error().code == "bad_sdp");

  std::string receiving = offer;
  for (size_t at; (at = receiving.find("a=sendonly")) != std::string::npos;) {
    receiving.replace(at, 10, "a=recvonly");
  }
  auto not_sending = program.Offer(receiving);
  REQUIRE_FALSE(not_sending.ok());
  CHECK(not_sending.error().code == "bad_sdp");
  CHECK_THAT(not_sending.error().message, Catch::Contains("does not send"));
}

TEST_CASE("ending a WHIP session makes the source idle, and a new publisher may come") {
  WhipProgram program;
  test::WhipPublisher publisher;
  auto answer = program.Offer(publisher.Offer());
  REQUIRE(answer.ok());
  publisher.Answer(answer->sdp);
  REQUIRE(RunLoopUntil([&] { return program.on_air() == "obs"; }, 3s));
  CHECK_FALSE(program.whip().End("not-the-session"));
  CHECK(program.whip().End(answer->session));
  CHECK(program.state() == "idle");
  REQUIRE(RunLoopUntil([&] { return !program.on_air(); }, 1s));

  test::WhipPublisher next;
  auto again = program.Offer(next.Offer());
  REQUIRE(again.ok());
  CHECK(again->session != answer->session);
}

TEST_CASE("with takeover a new WHIP publisher replaces the live one") {
  WhipProgram program(true);
  test::WhipPublisher first;
  auto one = program.Offer(first.Offer());
  REQUIRE(one.ok());
  first.Answer(one->sdp);
  REQUIRE(RunLoopUntil([&] { return program.on_air() == "obs"; }, 3s));

  test::WhipPublisher second;
  auto two = program.Offer(second.Offer());
  REQUIRE(two.ok());
  second.Answer(two->sdp);
  CHECK_FALSE(program.whip().End(one->session));
  REQUIRE(RunLoopUntil([&] { return program.on_air() == "obs" && program.state() == "live"; }, 3s));
}

}  // namespace bridgecast::ingest
