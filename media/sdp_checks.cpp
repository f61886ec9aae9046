#include "media/sdp_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace bridgecast::media {
namespace {

// "96 H264/90000" -> {"96", "H264"}
std::pair<std::string_view, std::string_view> RtpMap(std::string_view value) {
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view name = value.substr(space + 1);
  return {value.substr(0, space), name.substr(0, name.find('/'))};
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && g_ascii_strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The section's direction, else the session's, else none.
std::string_view Direction(const GstSDPMessage* message, const GstSDPMedia* media) {
  constexpr std::array<const char*, 4> kDirections = {"sendonly", "sendrecv", "recvonly",
                                                      "inactive"};
  for (const char* direction : kDirections) {
    if (gst_sdp_media_get_attribute_val(media, direction)) return direction;
  }
  for (const char* direction : kDirections) {
    if (gst_sdp_message_get_attribute_val(message, direction)) return direction;
  }
  return {};
}

}  // namespace

Result<GstSdpMessagePtr> ParseSdp(std::string_view sdp) {
  if (sdp.empty() || sdp.size() > kMaxSdpLength) {
    return Error{"bad_sdp", "the SDP is empty or larger than 64 KiB"};
  }
  GstSDPMessage* raw = nullptr;
  gst_sdp_message_new(&raw);
  GstSdpMessagePtr message(raw);
  // The parser skips lines it does not know: a version and a media section
  // tell SDP from any text.
  if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(sdp.data()),
                                   static_cast<guint>(sdp.size()),
                                   message.get()) != GST_SDP_OK ||
      !gst_sdp_message_get_version(message.get()) ||
      gst_sdp_message_medias_len(message.get()) == 0) {
    return Error{"bad_sdp", "not SDP"};
  }
  return message;
}

Result<GstSdpMessagePtr> ParseAnswer(std::string_view sdp, guint sections) {
  auto message = ParseSdp(sdp);
  if (!message) return message.error();
  if (gst_sdp_message_medias_len(message->get()) != sections) {
    return Error{"bad_sdp", "the answer is not SDP with one audio and one video section"};
  }
  for (guint i = 0; i < sections; ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(message->get(), i);
    if (!Attribute(message->get(), media, "ice-ufrag")) {
      return Error{"bad_sdp", "the answer has no ICE credentials"};
    }
    if (!Attribute(message->get(), media, "fingerprint")) {
      return Error{"bad_sdp", "the answer has no DTLS fingerprint"};
    }
  }
  return message;
}

const char* Attribute(const GstSDPMessage* message, const GstSDPMedia* media, const char* key) {
  const char* value = gst_sdp_media_get_attribute_val(media, key);
  return value ? value : gst_sdp_message_get_attribute_val(message, key);
}

bool Offers(const GstSDPMedia* media, std::string_view codec, bool packetization_mode_1) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (!a->value || std::string_view(a->key) != "rtpmap") continue;
    const auto [payload, name] = RtpMap(a->value);
    if (!SameName(name, codec)) continue;
    if (!packetization_mode_1) return true;
    for (guint j = 0; j < gst_sdp_media_attributes_len(media); ++j) {
      const GstSDPAttribute* f = gst_sdp_media_get_attribute(media, j);
      if (!f->value || std::string_view(f->key) != "fmtp") continue;
      const std::string_view fmtp = f->value;
      if (fmtp.starts_with(std::string(payload) + " ") &&
          fmtp.find("packetization-mode=1") != std::string_view::npos) {
        return true;
      }
    }
  }
  return false;
}

std::string Codecs(const GstSDPMedia* media) {
  std::vector<std::string> names;
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (!a->value || std::string_view(a->key) != "rtpmap") continue;
    const std::string name(RtpMap(a->value).second);
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

bool Sends(const GstSDPMessage* message, const GstSDPMedia* media) {
  const std::string_view direction = Direction(message, media);
  return direction.empty() || direction.starts_with("send");
}

bool Active(const GstSDPMessage* message, const GstSDPMedia* media) {
  if (gst_sdp_media_get_port(media) == 0 &&
      !gst_sdp_media_get_attribute_val(media, "bundle-only")) {
    return false;
  }
  return Direction(message, media) != "inactive";
}

Result<std::string_view> CheckCandidate(std::string_view candidate) {
  if (candidate.size() > kMaxCandidateLength) {
    return Error{"bad_candidate", "candidate is too long"};
  }
  std::string_view body = candidate;
  if (body.starts_with("a=")) body.remove_prefix(2);
  if (!body.starts_with("candidate:") ||
      std::any_of(body.begin(), body.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Error{"bad_candidate", "not an ICE candidate line"};
  }
  return body;
}

std::string_view CandidateAddress(std::string_view candidate) {
  for (int field = 0; field < 4; ++field) {
    const size_t space = candidate.find(' ');
    if (space == std::string_view::npos) return {};
    candidate.remove_prefix(space + 1);
  }
  return candidate.substr(0, candidate.find(' '));
}

}  // namespace bridgecast::media
