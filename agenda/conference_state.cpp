#include "agenda/conference_state.hpp"

namespace bridgecast::agenda {

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kScheduled: return "scheduled";
    case Phase::kLive: return "live";
    case Phase::kEnded: return "ended";
  }
  return "unknown";
}

std::string_view QuestionStatusName(QuestionStatus status) {
  switch (status) {
    case QuestionStatus::kSubmitted: return "submitted";
    case QuestionStatus::kApproved: return "approved";
    case QuestionStatus::kAnswered: return "answered";
    case QuestionStatus::kRejected: return "rejected";
  }
  return "unknown";
}

}  // namespace bridgecast::agenda
