#pragma once
// The shell around AlertRules: every [alerts] interval_seconds it reads what the
// rules need (the outbox, the CRM's health and sync state, the devices, the SMS
// outcomes, the database's disk, the clocks), evaluates them, and for each alert
// raised or cleared logs a warning (notice when cleared), publishes an `alert`
// event and, with [alerts] webhook_url, queues a JSON POST in the outbox (topic
// `alert`), which AlertWebhook delivers with retries. GET /v1/alerts and
// lojal_alert_active{id} read the active list.

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>

#include <functional>
#include <mutex>
#include <optional>

#include "VerifiedHttp.h"
#include "alerts/AlertRules.h"
#include "config/Config.h"
#include "events/EventRing.h"
#include "metrics/Metrics.h"
#include "outbox/OutboxDrainer.h"
#include "store/Database.h"

namespace lojal {

// What other modules tell the alert rules; each may be empty (no CRM, ...).
struct AlertSources {
    std::function<std::optional<int64_t>()> crmUnreachableSinceMs;
    std::function<std::optional<std::string>()> crmPausedReason;
    std::function<std::vector<alerts::DeviceReading>()> devices;
    // Running totals since start: {attempts, failures}.
    std::function<std::pair<uint64_t, uint64_t>()> smsTotals;
    std::function<std::string()> worldReadableConfig;
};

class AlertService {
  public:
    // onQueued: a webhook POST was queued (wakes AlertWebhook).
    AlertService(const Config& config, Database& database, EventRing& events, AlertSources sources,
                 std::function<void()> onQueued = nullptr);
    // One round: read, evaluate, report changes. Called by a PeriodicTask.
    void evaluateOnce();
    Poco::JSON::Array list() const;  // GET /v1/alerts
    // When the rules last ran (Unix ms), nothing before the first round: a
    // watcher that stopped shows as an old time, not as "no alerts".
    std::optional<int64_t> lastEvaluatedMs() const;
    std::vector<Gauge> gauges() const;

  private:
    alerts::Readings read();
    void report(const alerts::AlertChange& change, int64_t nowMs);

    const Config& config_;
    Database& database_;
    EventRing& events_;
    AlertSources sources_;
    std::function<void()> onQueued_;
    alerts::Thresholds thresholds_;
    Poco::Logger& log_;
    alerts::DiskTrend diskTrend_;
    alerts::RatioWindow smsWindow_;
    alerts::ClockWatch clock_;
    mutable std::mutex mutex_;  // book_, raised_, lastEvaluatedMs_
    alerts::AlertBook book_;
    uint64_t raised_ = 0;
    std::optional<int64_t> lastEvaluatedMs_;
};

// Delivers topic `alert` to [alerts] webhook_url: a POST of the JSON payload,
// TLS verified; 2xx is done, anything else retries with backoff (an alert
// outlives a webhook's outage), a 4xx other than 408/429 is a dead letter.
class AlertWebhook {
  public:
    AlertWebhook(const AlertsConfig& config, Database& database);
    ~AlertWebhook();
    void start();
    void stop();
    void wake();

  private:
    void deliver(const std::vector<OutboxItem>& items);

    const AlertsConfig& config_;
    Outbox outbox_;
    Poco::Logger& log_;
    plugins::SessionFactory sessions_;
    std::mt19937_64 random_{std::random_device{}()};
    OutboxDrainer drainer_;  // last: its thread uses everything above
};

}  // namespace lojal
