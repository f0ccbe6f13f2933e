#pragma once
// The one durable outbox (ARCHITECTURE-INTENT 1): every message that must leave
// the store is a row (topic, idempotency key, payload, state, attempts, next
// attempt, last error), written in the same transaction as the data it belongs to,
// and drained per topic with one retry policy.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/Database.h"

namespace lojal {

struct OutboxItem {
    int64_t id = 0;
    std::string topic;
    std::string key;
    std::string payload;
    int attempts = 0;  // including the one being made
};

// Adds a row; a second row with the same topic and key is ignored (idempotent).
Result<int64_t> enqueueOutbox(Transaction& tx, const std::string& topic, const std::string& key,
                              const std::string& payload, int64_t nowMs);

// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^(attempts-1))].
int64_t backoffDelayMs(int attempts, int64_t baseMs, int64_t capMs, std::mt19937_64& random);

// A row as store IT sees it (lojalctl queue): no payload, which may be personal.
struct OutboxRow {
    int64_t id = 0;
    std::string topic;
    std::string key;
    std::string state;
    int attempts = 0;
    std::string lastError;
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;
};

// Every outbox topic, in the order store IT reads them (lojalctl status).
const std::vector<std::string>& outboxTopics();

// Topics whose dead letters an operator may send again. Not sms: a PIN or a
// sign-up link is stale hours later, and a PIN's text is gone once it failed.
bool isRetryableTopic(const std::string& topic);
const std::vector<std::string>& retryableTopics();

class Outbox {
  public:
    explicit Outbox(Database& database) : database_(database) {}

    // Rows of topic left "sending" by a crash go back to "queued" (sent again: at
    // least once). Each topic's drainer recovers its own, and says how many.
    Result<int> recoverInFlight(const std::string& topic);
    // Marks up to limit due rows of topic "sending" and returns them. Each topic has
    // one draining thread, so a row still "sending" when that thread claims again
    // is one whose outcome could not be written (disk full): it is claimed again.
    Result<std::vector<OutboxItem>> claimDue(const std::string& topic, int64_t nowMs, int limit);
    using Extra = std::function<Status(Transaction&)>;
    Status complete(int64_t id, const Extra& extra);
    Status retryLater(int64_t id, int64_t nextAttemptMs, const std::string& error,
                      const Extra& extra);
    Status deadLetter(int64_t id, const std::string& error, const Extra& extra);
    // The outcomes of a whole batch in one transaction (one fsync, not one per row).
    struct Settlement {
        int64_t id = 0;
        std::string state;  // "done", "queued" or "dead"
        int64_t nextAttemptMs = 0;
        std::string error;
    };
    Status settle(const std::vector<Settlement>& settlements, const Extra& extra = nullptr);
    // Administration (lojalctl queue): rows by state and topic (either may be
    // empty for all), newest first; one row; dead letters back in the queue, due
    // now with their attempts reset. requeueDead: id 0 for every dead row of
    // topic (every retryable topic when empty); rows of other topics are left
    // alone. Returns the rows requeued.
    Result<std::vector<OutboxRow>> list(const std::string& state, const std::string& topic,
                                        int limit);
    Result<std::optional<OutboxRow>> find(int64_t id);
    Result<int> requeueDead(int64_t id, const std::string& topic, int64_t nowMs);
    struct TopicStats {
        int64_t backlog = 0;  // queued or sending
        int64_t oldestBacklogMs = 0;
        int64_t dead = 0;
    };
    Result<std::map<std::string, TopicStats>> stats();
    // When the next queued row of topic is due (nothing when none is queued).
    Result<std::optional<int64_t>> nextDueMs(const std::string& topic);

  private:
    Status finish(int64_t id, const std::string& state, int64_t nextAttemptMs,
                  const std::string& error, const Extra& extra);
    Database& database_;
};

}  // namespace lojal
