// How long an agenda change takes to reach every client: the chair issues
// agenda.next R times; each of N signaling-only clients timestamps the
// agenda.item_started it receives. Loopback only; see bench/README.md.
#include <glib.h>
#include <libwebsockets.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "client/ws_context.hpp"
#include "latency_client.hpp"
#include "node_process.hpp"

namespace bridgecast::bench {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr int kMaxClients = 5000;
constexpr size_t kConnectBatch = 100;  // stays under the listen backlog

struct Options {
  std::vector<int> clients = {67, 1000};
  int rounds = 30;
  int gap_ms = 200;
  std::string links;      // an existing node's join-links.json
  std::string state_dir;  // that node's state dir, for `bridgecast token`
  std::string binary = BRIDGECAST_BIN;
};

struct Measurement {
  int clients = 0;
  int rounds = 0;
  int failed_rounds = 0;
  std::vector<double> last_ms;    // per round: the slowest client
  std::vector<double> client_ms;  // every client, every round
};

bool Spin(const std::function<bool()>& done, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    for (int i = 0; i < 10000 && g_main_context_iteration(nullptr, FALSE); ++i) {
    }
    g_usleep(200);
  }
  return true;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// Raises the soft open-file limit to the hard one: a socket per client.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

// The chair's command `id`: its reply (ack or error), once it has arrived.
std::optional<json> ReplyTo(const LatencyClient& chair, int id) {
  for (const std::string& text : chair.replies()) {
    json reply = json::parse(text, nullptr, false);
    if (reply.is_object() && reply.value("id", -1) == id) return reply;
  }
  return std::nullopt;
}

class Bench {
 public:
  Bench(client::WsContext& context, client::WsClientOptions options, std::string chair_token,
        std::string observer_token)
      : context_(context),
        options_(std::move(options)),
        observer_token_(std::move(observer_token)),
        chair_(context, options_, std::move(chair_token)) {}

  bool Prepare() {
    chair_.Connect();
    if (!Spin([&] { return chair_.ready() || chair_.closed(); }, milliseconds(10000)) ||
        !chair_.ready()) {
      std::fprintf(stderr, "the chair could not join\n");
      return false;
    }
    // The first agenda item, to wrap around to after the last.
    json snapshot = json::parse(chair_.snapshot(), nullptr, false);
    if (!snapshot.is_object() || snapshot["state"]["agenda"].empty()) {
      std::fprintf(stderr, "the conference has no agenda\n");
      return false;
    }
    first_item_ = snapshot["state"]["agenda"][0]["id"];
    // Either may already be done on a node that ran before; only live matters.
    Call({{"type", "conference.start"}});
    Call({{"type", "agenda.start"}});
    return true;
  }

  Measurement Run(int clients, int rounds, milliseconds gap) {
    Measurement result;
    result.clients = clients;
    result.rounds = rounds;
    std::vector<std::unique_ptr<LatencyClient>> all;
    for (int i = 0; i < clients; ++i) {
      all.push_back(std::make_unique<LatencyClient>(context_, options_, observer_token_));
    }
    for (size_t start = 0; start < all.size(); start += kConnectBatch) {
      const size_t end = std::min(all.size(), start + kConnectBatch);
      for (size_t i = start; i < end; ++i) all[i]->Connect();
      const bool joined = Spin(
          [&] {
            for (size_t i = start; i < end; ++i) {
              if (!all[i]->ready() && !all[i]->closed()) return false;
            }
            return true;
          },
          milliseconds(60000));
      const size_t ready = static_cast<size_t>(std::count_if(
          all.begin(), all.begin() + static_cast<long>(end), [](auto& c) { return c->ready(); }));
      if (!joined || ready != end) {
        std::fprintf(stderr, "only %zu of %zu clients joined\n", ready, end);
        result.failed_rounds = rounds;
        return result;
      }
    }
    for (int r = 0; r < rounds; ++r) {
      std::vector<size_t> before;
      for (const auto& c : all) before.push_back(c->item_started().size());
      const std::optional<Clock::time_point> sent = Advance();
      const bool delivered =
          sent && Spin(
                      [&] {
                        for (size_t i = 0; i < all.size(); ++i) {
                          if (all[i]->item_started().size() <= before[i]) return false;
                        }
                        return true;
                      },
                      milliseconds(30000));
      if (!delivered) {
        ++result.failed_rounds;
        continue;
      }
      double last = 0;
      for (size_t i = 0; i < all.size(); ++i) {
        const double ms = Ms(all[i]->item_started()[before[i]] - *sent);
        result.client_ms.push_back(ms);
        last = std::max(last, ms);
      }
      result.last_ms.push_back(last);
      Spin([] { return false; }, gap);
    }
    all.clear();
    Spin([] { return false; }, milliseconds(1000));  // let the node see them go
    return result;
  }

 private:
  std::optional<json> Call(const json& command) {
    const int id = next_id_++;
    chair_.Send(json{{"type", "command"}, {"id", id}, {"command", command}}.dump());
    std::optional<json> reply;
    Spin([&] { return (reply = ReplyTo(chair_, id)).has_value() || chair_.closed(); },
         milliseconds(10000));
    return reply;
  }

  // agenda.next, or back to the first item after the last: returns when the
  // successful command was sent.
  std::optional<Clock::time_point> Advance() {
    Clock::time_point sent = Clock::now();
    std::optional<json> reply = Call({{"type", "agenda.next"}});
    if (reply && (*reply)["type"] == "error" && (*reply)["code"] == "no_next_item") {
      sent = Clock::now();
      reply = Call({{"type", "agenda.goto"}, {"item", first_item_}});
    }
    if (!reply || (*reply)["type"] != "ack") {
      std::fprintf(stderr, "agenda change refused: %s\n", reply ? reply->dump().c_str() : "timeout");
      return std::nullopt;
    }
    return sent;
  }

  client::WsContext& context_;
  client::WsClientOptions options_;
  std::string observer_token_;
  std::string first_item_;
  LatencyClient chair_;
  int next_id_ = 1;
};

int Main(const Options& o) {
  const rlim_t files = RaiseFileLimit();
  const int most = *std::max_element(o.clients.begin(), o.clients.end());
  if (static_cast<rlim_t>(most) + 64 > files) {
    std::fprintf(stderr, "open-file limit %lu is too low for %d clients\n",
                 static_cast<unsigned long>(files), most);
    return 1;
  }
  std::unique_ptr<NodeProcess> node;
  std::string links_path = o.links;
  std::string state_dir = o.state_dir;
  std::string temp_dir;
  if (links_path.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "bridgecast-bench-XXXXXX");
    if (!mkdtemp(pattern.data())) return 1;
    temp_dir = pattern;
    state_dir = temp_dir + "/state";
    node = NodeProcess::Start(o.binary, state_dir);
    if (!node) return 1;
    links_path = state_dir + "/join-links.json";
  }
  std::ifstream in(links_path);
  const json links = json::parse(in, nullptr, false);
  if (!links.is_object() || !links.contains("server")) {
    std::fprintf(stderr, "cannot read %s\n", links_path.c_str());
    return 1;
  }
  const std::string conference = links["conference"]["id"];
  const std::string chair =
      RunForLine(o.binary, {"token", "--conference", conference, "--role", "chair", "--state-dir",
                            state_dir});
  const std::string observer =
      RunForLine(o.binary, {"token", "--conference", conference, "--role", "observer",
                            "--state-dir", state_dir});
  if (chair.empty() || observer.empty()) {
    std::fprintf(stderr, "bridgecast token failed for %s\n", state_dir.c_str());
    return 1;
  }
  client::WsClientOptions options;
  const std::string server = links["server"];  // https://127.0.0.1:PORT
  options.host = "127.0.0.1";
  options.port = std::atoi(server.substr(server.rfind(':') + 1).c_str());
  options.certificate_sha256 = links["certificate_sha256"];

  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);  // one notice per connection otherwise
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  std::vector<Measurement> results;
  {
    auto context = client::WsContext::Create(loop);
    if (!context) {
      std::fprintf(stderr, "%s\n", context.error().message.c_str());
      return 1;
    }
    Bench bench(**context, options, chair, observer);
    if (!bench.Prepare()) return 1;
    for (int n : o.clients) {
      std::fprintf(stderr, "%d clients, %d rounds...\n", n, o.rounds);
      results.push_back(bench.Run(n, o.rounds, milliseconds(o.gap_ms)));
    }
  }
  g_main_loop_unref(loop);
  node.reset();
  if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);

  std::printf(
      "| clients | rounds ok | all reached p50 (ms) | all reached p99 (ms) | per-client p50 (ms) | "
      "per-client p99 (ms) |\n|---:|---:|---:|---:|---:|---:|\n");
  int failed = 0;
  for (const Measurement& r : results) {
    std::printf("| %d | %d/%d | %.1f | %.1f | %.1f | %.1f |\n", r.clients,
                r.rounds - r.failed_rounds, r.rounds, Percentile(r.last_ms, 0.5),
                Percentile(r.last_ms, 0.99), Percentile(r.client_ms, 0.5),
                Percentile(r.client_ms, 0.99));
    failed += r.failed_rounds;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace bridgecast::bench

int main(int argc, char** argv) {
  bridgecast::bench::Options o;
  CLI::App app{"Agenda-change latency to N signaling clients"};
  app.add_option("--clients", o.clients, "Client counts to measure (repeatable)")
      ->check(CLI::Range(1, bridgecast::bench::kMaxClients));
  app.add_option("--rounds", o.rounds, "agenda.next per client count")->check(CLI::Range(1, 1000));
  app.add_option("--gap-ms", o.gap_ms, "Pause between rounds")->check(CLI::Range(0, 10000));
  app.add_option("--links", o.links, "join-links.json of a running node (default: start one)");
  app.add_option("--state-dir", o.state_dir, "That node's state dir (for bridgecast token)");
  app.add_option("--bridgecast", o.binary, "The bridgecast binary");
  CLI11_PARSE(app, argc, argv);
  if (!o.links.empty() && o.state_dir.empty()) {
    std::fprintf(stderr, "--links needs --state-dir\n");
    return 2;
  }
  return bridgecast::bench::Main(o);
}
