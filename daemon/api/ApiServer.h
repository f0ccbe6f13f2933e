#pragma once
// The local HTTP API on Poco::Net::HTTPServer. One thread pool serves every listen
// address; each connection holds a pool thread for as long as it is kept alive, so
// the pool is sized for the idle keep-alive connections a store's POS and kiosks
// keep open (see docs/ARCHITECTURE.md, "Threads").

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "api/Auth.h"
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

    // Used by the request handler.
    struct Shared;

  private:
    ServerConfig config_;
    std::unique_ptr<Shared> shared_;
    Poco::ThreadPool pool_;
    std::vector<std::unique_ptr<Poco::Net::HTTPServer>> servers_;
    std::atomic<int> inFlight_{0};
    Poco::Logger& log_;
};

}  // namespace lojal
