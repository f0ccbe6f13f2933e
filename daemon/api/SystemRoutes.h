#pragma once
// Routes about the daemon itself: health, whoami, config, metrics, log level.

#include <chrono>
#include <functional>

#include "api/Router.h"
#include "config/Config.h"
#include "metrics/Metrics.h"
#include "store/Database.h"

namespace lojal {

class ApiServer;

struct SystemContext {
    const Config& config;
    Database& database;
    HttpMetrics& metrics;
    std::chrono::steady_clock::time_point startedAt;
    const ApiServer* server = nullptr;                // for the in-flight gauge; set once it exists
    std::function<std::vector<Gauge>()> extraGauges;  // from other modules (devices, ...)
};

void addSystemRoutes(Router& router, SystemContext& context);

// Resident set size of this process in bytes (0 where it cannot be read).
long long residentMemoryBytes();

}  // namespace lojal
