#pragma once

#include <gst/sdp/sdp.h>

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "media/gst_ptr.hpp"

namespace bridgecast::media {

// Cheap checks of what a peer sends before webrtcbin sees it: every error is
// `bad_sdp` or `bad_candidate` with a message that says what is wrong.

constexpr size_t kMaxSdpLength = 64 * 1024;
constexpr size_t kMaxCandidateLength = 1024;

// SDP of at most 64 KiB with a version and at least one media section.
Result<GstSdpMessagePtr> ParseSdp(std::string_view sdp);
// An answer to our offer of `sections` media sections, each with ICE
// credentials and a DTLS fingerprint (its own or the session's).
Result<GstSdpMessagePtr> ParseAnswer(std::string_view sdp, guint sections);

// A section's attribute, else the session's; null if neither has it.
const char* Attribute(const GstSDPMessage* message, const GstSDPMedia* media, const char* key);
// Whether `media` carries `codec` (by its rtpmap name, any case); for H.264
// with `packetization_mode_1`, only in that mode.
bool Offers(const GstSDPMedia* media, std::string_view codec, bool packetization_mode_1 = false);
// The codec names of a section, for error messages: "H264, VP8" or "none".
std::string Codecs(const GstSDPMedia* media);
// Whether the section (else the session) sends: sendonly, sendrecv or none
// given.
bool Sends(const GstSDPMessage* message, const GstSDPMedia* media);
// Whether the section is in use: not port 0 (unless bundle-only) and not
// inactive.
bool Active(const GstSDPMessage* message, const GstSDPMedia* media);

// The candidate line without "a=", if it is one: "candidate:" and no control
// characters, at most 1 KiB.
Result<std::string_view> CheckCandidate(std::string_view candidate);
// The connection address of an ICE candidate line (its fifth field).
std::string_view CandidateAddress(std::string_view candidate);

}  // namespace bridgecast::media
