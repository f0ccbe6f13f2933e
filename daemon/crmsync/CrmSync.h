#pragma once
// Drains one outbox topic ("receipt", "signup") to the CRM in batches, in the
// order the rows were stored. Per item: accepted, duplicate or skipped -> synced;
// rejected -> dead letter with the CRM's reason, the others carry on. Per batch:
// network errors, 5xx and unreadable answers hold the whole queue with
// full-jitter backoff (Retry-After wins when longer), the batch keeping its place
// at the head, so order per register survives outages; 401/403 pause the queue
// (an alert in the log and /metrics) instead of dead-lettering every item over a
// wrong key.
// The topic supplies only how to load and send its items.

#include <Poco/Logger.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "CrmConnector.h"
#include "config/Config.h"
#include "metrics/Metrics.h"
#include "outbox/OutboxDrainer.h"

namespace lojal {

struct CrmTopic {
    std::string name;    // the outbox topic
    std::string plural;  // "receipts": in log lines and metric names (lojal_receipts_backlog)
    // Loads the items and sends them; results are keyed by OutboxItem::payload.
    std::function<crm::BatchOutcome(const std::vector<OutboxItem>&)> send;
    // Optional: runs in the transaction that marks these payloads synced.
    std::function<Status(Transaction&, const std::vector<std::string>& payloads)> onSynced;
    // Optional: runs after a settlement that synced items was stored.
    std::function<void()> afterSynced;
};

class CrmSync {
  public:
    CrmSync(const CrmConfig& config, Database& database, CrmTopic topic);
    ~CrmSync();
    void start();
    void stop();
    void wake();
    std::vector<Gauge> gauges();
    struct Health {
        std::optional<std::string> pausedReason;  // the CRM refuses the key (401/403)
        int64_t failingSinceMs = 0;               // batches have failed since; 0 when fine
    };
    Health health() const;

  private:
    void syncBatch(const std::vector<OutboxItem>& items);
    void setPaused(bool paused, const std::string& reason);
    int64_t backoff(int attempts);
    bool settle(const std::vector<Outbox::Settlement>& settlements,
                const std::vector<std::string>& synced);

    const CrmConfig& config_;
    Database& database_;
    Outbox outbox_;
    CrmTopic topic_;
    Poco::Logger& log_;
    std::mt19937_64 random_{std::random_device{}()};
    std::atomic<bool> paused_{false};
    mutable std::mutex healthMutex_;
    std::string pausedReason_;
    std::atomic<int64_t> failingSinceMs_{0};
    std::atomic<uint64_t> synced_{0};
    std::atomic<uint64_t> deadLettered_{0};
    std::atomic<uint64_t> skipped_{0};
    std::atomic<uint64_t> failedBatches_{0};
    std::string lastProblem_;      // logged once per change of state
    int consecutiveFailures_ = 0;  // batches the CRM failed in a row: the queue's backoff
    OutboxDrainer drainer_;        // last: its thread uses everything above
};

}  // namespace lojal
