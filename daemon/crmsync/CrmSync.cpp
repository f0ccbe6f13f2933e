#include "crmsync/CrmSync.h"

#include "core/Time.h"

namespace lojal {
namespace {

constexpr int64_t kBackoffBaseMs = 1000;

}  // namespace

CrmSync::CrmSync(const CrmConfig& config, Database& database, CrmTopic topic)
    : config_(config),
      database_(database),
      outbox_(database),
      topic_(std::move(topic)),
      log_(Poco::Logger::get("lojal.crm")),
      drainer_(outbox_, topic_.name, config.batchSize,
               [this](const std::vector<OutboxItem>& items) { syncBatch(items); }) {}

CrmSync::~CrmSync() {
    stop();
}

void CrmSync::start() {
    // A crash mid-batch: those items go again; the CRM dedups by their key.
    drainer_.start();
}

void CrmSync::stop() {
    drainer_.stop();
}

void CrmSync::wake() {
    drainer_.wake();
}

void CrmSync::setPaused(bool paused, const std::string& reason) {
    {
        std::lock_guard lock(healthMutex_);
        pausedReason_ = paused ? reason : "";
    }
    if (paused_.exchange(paused) == paused) return;
    if (paused)
        log_.critical("%s sync PAUSED: %s; they stay queued until the CRM accepts the key",
                      topic_.plural, reason);
    else
        log_.notice("%s sync resumed", topic_.plural);
}

void CrmSync::syncBatch(const std::vector<OutboxItem>& items) {
    const crm::BatchOutcome outcome = topic_.send(items);
    const int64_t now = unixMillisNow();

    if (outcome.kind != crm::BatchOutcome::Kind::answered) {
        ++failedBatches_;
        const bool unauthorized = outcome.kind == crm::BatchOutcome::Kind::unauthorized;
        if (unauthorized) {
            failingSinceMs_ = 0;  // it answers: the key is the problem, not the network
        } else if (failingSinceMs_ == 0) {
            failingSinceMs_ = now;
        }
        setPaused(unauthorized, outcome.reason);
        if (outcome.reason != lastProblem_) {  // once per change, not once per retry
            log_.warning("%s sync: %s", topic_.plural, outcome.reason);
            lastProblem_ = outcome.reason;
        }
        // The CRM is unavailable, not these items: they go back at the head of the
        // queue (due at once, in their order) and the whole queue waits, so a
        // register's receipts still arrive in the order they were taken.
        std::vector<Outbox::Settlement> retries;
        for (const OutboxItem& item : items)
            retries.push_back({item.id, "queued", 0, outcome.reason});
        settle(retries, {});
        const int64_t delay =
            unauthorized ? config_.pauseSeconds * 1000LL : backoff(++consecutiveFailures_);
        drainer_.holdUntil(now + std::max<int64_t>(delay, outcome.retryAfterSeconds * 1000LL));
        return;
    }
    setPaused(false, "");
    if (outcome.reason.empty()) failingSinceMs_ = 0;
    if (!outcome.reason.empty() && outcome.reason != lastProblem_) {  // answered in part
        log_.warning("%s sync: %s", topic_.plural, outcome.reason);
        lastProblem_ = outcome.reason;
    } else if (outcome.reason.empty() && !lastProblem_.empty()) {
        log_.notice("%s sync: the CRM answers again", topic_.plural);
        lastProblem_.clear();
    }
    std::vector<Outbox::Settlement> settlements;
    std::vector<std::string> syncedPayloads;
    uint64_t synced = 0;
    uint64_t dead = 0;
    uint64_t skipped = 0;
    for (const OutboxItem& item : items) {
        const auto found = outcome.results.find(item.payload);
        const auto result = found == outcome.results.end() ? crm::ReceiptResult{} : found->second;
        switch (result.outcome) {
            case crm::ReceiptResult::Outcome::accepted:
            case crm::ReceiptResult::Outcome::duplicate:
                settlements.push_back({item.id, "done", now, ""});
                syncedPayloads.push_back(item.payload);
                ++synced;
                break;
            case crm::ReceiptResult::Outcome::skipped:
                log_.debug("%s not for this CRM: %s", item.payload, result.reason);
                settlements.push_back({item.id, "done", now, result.reason});
                syncedPayloads.push_back(item.payload);
                ++synced;
                ++skipped;
                break;
            case crm::ReceiptResult::Outcome::rejected:
                log_.warning("%s rejected by the CRM: %s", item.payload, result.reason);
                settlements.push_back({item.id, "dead", now, result.reason});
                ++dead;
                break;
            case crm::ReceiptResult::Outcome::missing:
                // Answered in part (the CRM failed mid-batch): the rest keeps its
                // place and the queue waits. Left out of a complete answer: this
                // item alone retries later, so it cannot block the others.
                if (!outcome.reason.empty())
                    settlements.push_back({item.id, "queued", 0, outcome.reason});
                else
                    settlements.push_back(
                        {item.id, "queued", now + backoff(item.attempts),
                         result.reason.empty() ? "not in the CRM's answer" : result.reason});
                break;
        }
    }
    if (!outcome.reason.empty()) {
        drainer_.holdUntil(now + std::max<int64_t>(backoff(++consecutiveFailures_),
                                                   outcome.retryAfterSeconds * 1000LL));
    } else {
        consecutiveFailures_ = 0;
    }
    if (settle(settlements, syncedPayloads)) {
        synced_ += synced;
        deadLettered_ += dead;
        skipped_ += skipped;
    }
}

int64_t CrmSync::backoff(int attempts) {
    return backoffDelayMs(attempts, kBackoffBaseMs, config_.retryMaxSeconds * 1000LL, random_);
}

bool CrmSync::settle(const std::vector<Outbox::Settlement>& settlements,
                     const std::vector<std::string>& synced) {
    // When this write fails the rows stay "sending" and are claimed again; the
    // CRM dedups the resend by its key.
    Outbox::Extra extra;
    if (topic_.onSynced && !synced.empty())
        extra = [&](Transaction& tx) { return topic_.onSynced(tx, synced); };
    auto settled = outbox_.settle(settlements, extra);
    if (!settled)
        log_.error("%s sync: outcomes not stored: %s", topic_.plural, settled.error().message);
    else if (topic_.afterSynced && !synced.empty())
        topic_.afterSynced();
    return settled.ok();
}

CrmSync::Health CrmSync::health() const {
    Health health;
    std::lock_guard lock(healthMutex_);
    if (paused_) health.pausedReason = pausedReason_;
    health.failingSinceMs = failingSinceMs_;
    return health;
}

std::vector<Gauge> CrmSync::gauges() {
    std::vector<Gauge> gauges;
    int64_t backlog = 0;
    int64_t oldest = 0;
    int64_t dead = 0;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare(
            "SELECT count(*), coalesce(min(created_at), 0) FROM outbox WHERE topic = ?1 AND state "
            "IN ('queued', 'sending')");
        select.bind(1, topic_.name);
        if (select.step()) {
            backlog = select.columnInt(0);
            oldest = select.columnInt(1);
        }
        auto deadCount =
            tx.prepare("SELECT count(*) FROM outbox WHERE topic = ?1 AND state = 'dead'");
        deadCount.bind(1, topic_.name);
        if (deadCount.step()) dead = deadCount.columnInt(0);
        return okStatus();
    });
    const double oldestAge = oldest > 0 ? (unixMillisNow() - oldest) / 1000.0 : 0.0;
    const std::string prefix = "lojal_" + topic_.plural;
    const std::string label = promLabel("topic", topic_.name);
    gauges.emplace_back(prefix + "_backlog", "Items not yet acknowledged by the CRM.",
                        static_cast<double>(backlog));
    gauges.emplace_back(prefix + "_oldest_unsynced_seconds",
                        "Age of the oldest item not yet synced.", oldestAge);
    gauges.emplace_back(prefix + "_dead_letters", "Items the CRM rejected.",
                        static_cast<double>(dead));
    gauges.emplace_back(prefix + "_synced_total", "Items the CRM acknowledged since start.",
                        static_cast<double>(synced_.load()), "", "counter");
    gauges.emplace_back(prefix + "_skipped_total",
                        "Items this CRM cannot hold (voyado: a receipt without a member), counted "
                        "as synced.",
                        static_cast<double>(skipped_.load()), "", "counter");
    gauges.emplace_back("lojal_crm_failed_batches_total",
                        "Batches the CRM did not answer usefully, by outbox topic.",
                        static_cast<double>(failedBatches_.load()), label, "counter");
    gauges.emplace_back("lojal_crm_paused",
                        "1 while the CRM refuses the API key (401/403), by outbox topic.",
                        paused_.load() ? 1.0 : 0.0, label);
    return gauges;
}

}  // namespace lojal
