#pragma once

#include <glib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "agenda/conference_spec.hpp"
#include "agenda/store/archive_index.hpp"
#include "agenda/store/conference_store.hpp"
#include "app/archive_recording.hpp"
#include "agenda/wall_clock.hpp"
#include "app/node_config.hpp"
#include "base/clock.hpp"
#include "floor/stage.hpp"
#include "ingest/ingest.hpp"
#include "media/program.hpp"
#include "signaling/archive_http.hpp"
#include "signaling/gateway.hpp"
#include "signaling/server.hpp"
#include "signaling/token.hpp"

namespace bridgecast::app {

// The central node: the program, the HTTPS/WSS server and the gateway that
// connects points to the program, all on one GLib main loop.
class Node final : public media::Program::Listener,
                   private ingest::Ingest::Listener,
                   private floor::Stage::Listener {
 public:
  // Prepares the state directory (TLS identity, token key), loads the
  // conference, opens its journal (STATE_DIR/journal.db) and the archive index
  // (STATE_DIR/archive.db, recovering segments a crash left open), starts the
  // program, records it while the conference says so, and listens.
  static Result<std::unique_ptr<Node>> Start(GMainLoop* loop, const NodeConfig& config);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  int port() const { return server_->port(); }
  const std::string& base_url() const { return base_url_; }
  const agenda::ConferenceSpec& conference() const { return conference_; }
  // Set when the program pipeline failed and the node must stop.
  bool failed() const { return failed_; }

  // Writes STATE_DIR/join-links.json and STATE_DIR/operator-token; the
  // operator can fetch the same links at /api/join-links.
  Status WriteLinks();

  // A clean stop, after the main loop has quit: journals the points' leaves and
  // closes every socket (so no command can restart the recorder), then closes
  // the segment being written, running the loop for at most `limit`: only a
  // crash leaves a cut file. The journal still says "recording", so the next
  // start continues the session.
  void Shutdown(std::chrono::milliseconds limit);

 private:
  Node(GMainLoop* loop, NodeConfig config);
  void OnProgramError(const std::string& message) override;
  void OnIngestChanged() override;
  void OnFloorChanged() override;
  // The sources and the floor, as staff see them (`program` message).
  nlohmann::json ProgramStatus() const;
  // Puts on air the source the journal last selected (or the configured one).
  void FollowSource();
  // Has the recorder follow the conference's state: on or off, and the
  // rehearsal label of a run it starts.
  void FollowRecording();
  void OnRecordingFailed(const std::string& message);

  GMainLoop* loop_;
  NodeConfig config_;
  SteadyClock clock_;
  agenda::SystemWallClock wall_clock_;
  agenda::ConferenceSpec conference_;
  std::unique_ptr<agenda::ConferenceStore> store_;
  signaling::TlsIdentity tls_;
  std::optional<signaling::TokenSigner> signer_;
  std::unique_ptr<agenda::ArchiveIndex> archive_index_;
  std::unique_ptr<media::Program> program_;
  std::unique_ptr<ingest::Ingest> ingest_;
  std::unique_ptr<floor::Stage> stage_;
  std::unique_ptr<ArchiveRecording> recording_;
  std::unique_ptr<signaling::ArchiveHttp> archive_http_;
  std::unique_ptr<signaling::Gateway> gateway_;
  std::unique_ptr<signaling::Server> server_;
  std::string base_url_;
  nlohmann::json join_links_;  // null until WriteLinks
  guint stats_timer_ = 0;
  guint silent_timer_ = 0;  // closes sockets that never said hello
  bool failed_ = false;
};

}  // namespace bridgecast::app
