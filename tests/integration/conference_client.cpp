#include "conference_client.hpp"

namespace bridgecast::test {

using nlohmann::json;

namespace {

std::string Type(const json& m) { return m.is_object() ? m.value("type", "") : ""; }

}  // namespace

client::WsClientOptions Options(const TestNode& node) {
  client::WsClientOptions options;
  options.host = "127.0.0.1";
  options.port = node.port();
  options.certificate_sha256 = node.links()["certificate_sha256"];
  return options;
}

bool IsAck(const json& reply) { return reply.is_object() && reply.value("type", "") == "ack"; }

ConferenceClient::ConferenceClient(client::WsContext& context,
                                   const client::WsClientOptions& options)
    : ws_(context, options, *this) {}

void ConferenceClient::Join(std::string token, std::optional<std::uint64_t> last_seq) {
  token_ = std::move(token);
  last_seq_ = last_seq;
  ws_.Connect();
}

void ConferenceClient::OnOpen() {
  json hello = {{"type", "hello"}, {"token", token_}};
  if (last_seq_) hello["last_seq"] = *last_seq_;
  ws_.Send(hello.dump());
}

void ConferenceClient::OnMessage(std::string_view text) {
  messages_.push_back(json::parse(text, nullptr, false));
}

void ConferenceClient::OnClosed(std::string) { closed_ = true; }

int ConferenceClient::Send(const json& command) {
  const int id = next_id_++;
  ws_.Send(json{{"type", "command"}, {"id", id}, {"command", command}}.dump());
  return id;
}

void ConferenceClient::SendRaw(const std::string& text) { ws_.Send(text); }

const json* ConferenceClient::Reply(int id) const {
  for (const json& m : messages_) {
    if ((Type(m) == "ack" || Type(m) == "error") && m.contains("id") && m["id"] == id) {
      return &m;
    }
  }
  return nullptr;
}

json ConferenceClient::Call(const json& command, std::chrono::milliseconds limit) {
  const int id = Send(command);
  if (!RunLoopUntil([&] { return Reply(id) != nullptr || closed_; }, limit)) return {};
  const json* reply = Reply(id);
  return reply ? *reply : json();
}

std::vector<json> ConferenceClient::Events() const {
  std::vector<json> events;
  for (const json& m : messages_) {
    if (Type(m) == "event") events.push_back(m["event"]);
  }
  return events;
}

const json* ConferenceClient::Snapshot() const {
  for (const json& m : messages_) {
    if (Type(m) == "snapshot") return &m;
  }
  return nullptr;
}

bool ConferenceClient::HasEvent(const std::function<bool(const json&)>& match) const {
  for (const json& m : messages_) {
    if (Type(m) == "event" && match(m["event"])) return true;
  }
  return false;
}

}  // namespace bridgecast::test
