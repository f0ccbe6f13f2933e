#pragma once
// The local HTTP API. Connections wait in the ConnectionHub (one thread, no
// thread per connection) until a whole request head has arrived; then one of
// `server.threads` workers parses it with Poco's HTTP classes, runs the route
// and hands the connection back to the hub to wait for its next request. So an
// idle or slow client (keep-alive, slowloris) holds a descriptor, never a
// worker, and WebSocket streams move on to EventStreams after the upgrade.
// See docs/ARCHITECTURE.md, "Threads".

#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "api/Auth.h"
#include "api/ConnectionHub.h"
#include "api/Router.h"
#include "config/Config.h"
#include "core/Result.h"
#include "metrics/Metrics.h"

namespace lojal {

class ApiServer {
  public:
    ApiServer(const ServerConfig& config, const Router& router, const TokenRegistry& tokens,
              HttpMetrics& metrics);
    ~ApiServer();

    // Binds every configured address; fails (naming the address) when one is taken.
    Status start();
    // Stops accepting, lets requests in flight finish (up to the grace time), then
    // closes idle keep-alive connections and joins the threads.
    void stop();
    int inFlight() const { return inFlight_.load(); }
    // Connections open and refused, head time-outs, for /metrics.
    std::vector<Gauge> gauges() const;
    // Kiosk pages authenticate with a session cookie (kiosk/KioskSessions)
    // instead of a token: the id from the cookie and the client's address -> a
    // caller, or nothing. Set before start().
    using SessionAuthenticator =
        std::function<std::optional<Caller>(const std::string& id, const std::string& peer)>;
    void setSessionAuthenticator(SessionAuthenticator authenticator);

    // Used by the request handler.
    struct Shared;

  private:
    void work();
    void serve(Connection connection);
    void enqueue(Connection connection);

    ServerConfig config_;
    std::unique_ptr<Shared> shared_;
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::Context::Ptr tls_;  // for server.tls_listen; null without
    std::unique_ptr<ConnectionHub> hub_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Connection> queue_;       // heads that have arrived, for the workers
    std::set<sockets::Handle> serving_;  // descriptors a worker is on (aborted at the grace's end)
    bool stopping_ = false;
    std::atomic<int> inFlight_{0};
    std::atomic<uint64_t> refusedBusy_{0};
    Poco::Logger& log_;
};

}  // namespace lojal
