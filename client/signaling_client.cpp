#include "client/signaling_client.hpp"

#include <spdlog/spdlog.h>

#include <type_traits>

namespace bridgecast::client {

SignalingClient::SignalingClient(WsContext& context, WsClientOptions options, std::string token,
                                 std::string log_name, Listener& listener,
                                 std::optional<std::uint64_t> last_seq)
    : token_(std::move(token)),
      last_seq_(last_seq),
      log_name_(std::move(log_name)),
      listener_(listener),
      ws_(context, std::move(options), *this) {}

void SignalingClient::SendAnswer(std::string_view sdp) { ws_.Send(signaling::AnswerMessage(sdp)); }

void SignalingClient::SendCandidate(int sdp_mline_index, std::string_view candidate) {
  ws_.Send(signaling::CandidateMessage(sdp_mline_index, candidate));
}

void SignalingClient::SendUplinkAnswer(std::string_view sdp) {
  ws_.Send(signaling::UplinkAnswerMessage(sdp));
}

void SignalingClient::SendUplinkCandidate(int sdp_mline_index, std::string_view candidate) {
  ws_.Send(signaling::UplinkCandidateMessage(sdp_mline_index, candidate));
}

void SignalingClient::OnOpen() {
  ws_.Send(signaling::HelloMessage(token_, last_seq_));
  listener_.OnSignalingOpen();
}

void SignalingClient::OnMessage(std::string_view text) {
  auto parsed = signaling::ParseNodeMessage(text);
  if (!parsed) {
    spdlog::warn("{}: dropping a node frame: {} ({})", log_name_, parsed.error().message,
                 parsed.error().code);
    return;
  }
  std::visit(
      [this](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, signaling::Welcome>) {
          listener_.OnWelcome(m);
        } else if constexpr (std::is_same_v<T, signaling::Offer>) {
          listener_.OnOffer(m.sdp);
        } else if constexpr (std::is_same_v<T, signaling::RemoteCandidate>) {
          // An empty candidate marks the end of candidates: nothing to add.
          if (!m.candidate.empty()) listener_.OnRemoteCandidate(m.sdp_mline_index, m.candidate);
        } else if constexpr (std::is_same_v<T, signaling::StateChange>) {
          listener_.OnRemoteState(m.state);
        } else if constexpr (std::is_same_v<T, signaling::ConferenceFrame>) {
          listener_.OnConferenceFrame(m);
        } else if constexpr (std::is_same_v<T, signaling::NodeError>) {
          listener_.OnSignalingError(m);
        } else if constexpr (std::is_same_v<T, signaling::UplinkOffer>) {
          listener_.OnUplinkOffer(m.sdp);
        } else if constexpr (std::is_same_v<T, signaling::UplinkCandidate>) {
          if (!m.candidate.empty()) listener_.OnUplinkCandidate(m.sdp_mline_index, m.candidate);
        } else if constexpr (std::is_same_v<T, signaling::UplinkState>) {
          listener_.OnUplinkState(m.state);
        } else {
          static_assert(std::is_same_v<T, signaling::UplinkClose>);
          listener_.OnUplinkClose(m.reason);
        }
      },
      *parsed);
}

void SignalingClient::OnClosed(std::string reason) {
  listener_.OnSignalingClosed(reason, !ws_.certificate_rejected());
}

}  // namespace bridgecast::client
