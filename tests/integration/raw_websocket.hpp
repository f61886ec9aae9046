#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace bridgecast::test {

// A WebSocket client over TLS written frame by frame, for what a well-behaved
// client library will not send: any upgrade request, fragmented messages.
// Blocking, each read bounded by a timeout; certificate not checked.
class RawWebSocket {
 public:
  struct Frame {
    bool fin = true;
    std::uint8_t opcode = 0;  // 1 text, 0 continuation, 8 close
    std::string payload;
  };

  // Connects to 127.0.0.1:port and sends the upgrade request for `path`,
  // with Sec-WebSocket-Protocol when `subprotocol` is not empty. Null if
  // TLS did not come up; otherwise see status() for the server's answer.
  static std::unique_ptr<RawWebSocket> Connect(int port, const std::string& path,
                                               const std::string& subprotocol);
  ~RawWebSocket();
  RawWebSocket(const RawWebSocket&) = delete;
  RawWebSocket& operator=(const RawWebSocket&) = delete;

  // HTTP status of the upgrade answer: 101 when accepted, 0 when the server
  // closed without answering.
  int status() const { return status_; }
  // Response headers, names in lower case.
  const std::map<std::string, std::string>& headers() const { return headers_; }

  // The server ended the connection (as opposed to a read timing out).
  bool closed() const { return closed_; }

  // Sends one masked frame.
  bool Send(const Frame& frame);
  // The next frame, or nullopt on timeout or end of stream.
  std::optional<Frame> Read(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  RawWebSocket() = default;
  // Appends what arrives to buffer_; false on timeout or end of stream.
  bool Fill(std::chrono::milliseconds timeout);

  struct State;
  std::unique_ptr<State> state_;
  int status_ = 0;
  bool closed_ = false;
  std::map<std::string, std::string> headers_;
  std::string buffer_;
};

}  // namespace bridgecast::test
