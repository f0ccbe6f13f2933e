#pragma once
// Drains the outbox's "receipt" topic to the CRM in batches (receipts in the
// order they were stored). Per receipt: accepted or duplicate -> synced; rejected
// -> dead letter with the CRM's reason, the others carry on. Per batch: network
// errors, 5xx and unreadable answers retry with full-jitter backoff (Retry-After
// wins when longer); 401/403 pause the whole queue (an alert in the log and
// /metrics) instead of dead-lettering every receipt over a wrong key.

#include <Poco/Logger.h>

#include <atomic>
#include <memory>
#include <random>

#include "CrmConnector.h"
#include "config/Config.h"
#include "metrics/Metrics.h"
#include "outbox/OutboxDrainer.h"

namespace lojal {

class ReceiptSync {
  public:
    ReceiptSync(const CrmConfig& config, Database& database,
                std::shared_ptr<crm::CrmConnector> connector);
    ~ReceiptSync();
    void start();
    void stop();
    void wake();
    std::vector<Gauge> gauges();

  private:
    void syncBatch(const std::vector<OutboxItem>& items);
    void setPaused(bool paused, const std::string& reason);
    int64_t backoff(int attempts);
    bool settle(const std::vector<Outbox::Settlement>& settlements);

    const CrmConfig& config_;
    Database& database_;
    Outbox outbox_;
    std::shared_ptr<crm::CrmConnector> connector_;
    Poco::Logger& log_;
    std::mt19937_64 random_{std::random_device{}()};
    std::atomic<bool> paused_{false};
    std::atomic<uint64_t> synced_{0};
    std::atomic<uint64_t> deadLettered_{0};
    std::atomic<uint64_t> skipped_{0};
    std::atomic<uint64_t> failedBatches_{0};
    std::string lastProblem_;  // logged once per change of state
    OutboxDrainer drainer_;    // last: its thread uses everything above
};

}  // namespace lojal
