#include "receipts/ReceiptSync.h"

#include "core/Time.h"

namespace lojal {
namespace {

constexpr int64_t kBackoffBaseMs = 1000;

}  // namespace

ReceiptSync::ReceiptSync(const CrmConfig& config, Database& database,
                         std::shared_ptr<crm::CrmConnector> connector)
    : config_(config),
      database_(database),
      outbox_(database),
      connector_(std::move(connector)),
      log_(Poco::Logger::get("lojal.crm")),
      drainer_(outbox_, "receipt", config.batchSize,
               [this](const std::vector<OutboxItem>& items) { syncBatch(items); }) {}

ReceiptSync::~ReceiptSync() {
    stop();
}

void ReceiptSync::start() {
    // A crash mid-batch: those receipts go again; the CRM dedups by receipt_id.
    drainer_.start();
}

void ReceiptSync::stop() {
    drainer_.stop();
}

void ReceiptSync::wake() {
    drainer_.wake();
}

void ReceiptSync::setPaused(bool paused, const std::string& reason) {
    if (paused_.exchange(paused) == paused) return;
    if (paused)
        log_.critical("receipt sync PAUSED: %s; receipts stay queued until the CRM accepts the key",
                      reason);
    else
        log_.notice("receipt sync resumed");
}

void ReceiptSync::syncBatch(const std::vector<OutboxItem>& items) {
    std::vector<crm::OutgoingReceipt> receipts;
    (void)database_.read([&](Transaction& tx) {
        for (const OutboxItem& item : items) {
            auto select = tx.prepare("SELECT body FROM receipts WHERE receipt_id = ?1");
            select.bind(1, item.payload);
            if (select.step()) receipts.push_back({item.payload, select.columnText(0)});
        }
        return okStatus();
    });
    const crm::BatchOutcome outcome = connector_->sendReceipts(receipts);
    const int64_t now = unixMillisNow();

    if (outcome.kind != crm::BatchOutcome::Kind::answered) {
        ++failedBatches_;
        const bool unauthorized = outcome.kind == crm::BatchOutcome::Kind::unauthorized;
        setPaused(unauthorized, outcome.reason);
        if (outcome.reason != lastProblem_) {  // once per change, not once per retry
            log_.warning("receipt sync: %s", outcome.reason);
            lastProblem_ = outcome.reason;
        }
        std::vector<Outbox::Settlement> retries;
        for (const OutboxItem& item : items) {
            int64_t delay = unauthorized ? config_.pauseSeconds * 1000LL : backoff(item.attempts);
            delay = std::max<int64_t>(delay, outcome.retryAfterSeconds * 1000LL);
            retries.push_back({item.id, "queued", now + delay, outcome.reason});
        }
        settle(retries);
        return;
    }
    setPaused(false, "");
    if (!outcome.reason.empty() && outcome.reason != lastProblem_) {  // answered in part
        log_.warning("receipt sync: %s", outcome.reason);
        lastProblem_ = outcome.reason;
    } else if (outcome.reason.empty() && !lastProblem_.empty()) {
        log_.notice("receipt sync: the CRM answers again");
        lastProblem_.clear();
    }
    std::vector<Outbox::Settlement> settlements;
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
                ++synced;
                break;
            case crm::ReceiptResult::Outcome::skipped:
                log_.debug("receipt %s not for this CRM: %s", item.payload, result.reason);
                settlements.push_back({item.id, "done", now, result.reason});
                ++synced;
                ++skipped;
                break;
            case crm::ReceiptResult::Outcome::rejected:
                log_.warning("receipt %s rejected by the CRM: %s", item.payload, result.reason);
                settlements.push_back({item.id, "dead", now, result.reason});
                ++dead;
                break;
            case crm::ReceiptResult::Outcome::missing: {
                const int64_t delay =
                    std::max<int64_t>(backoff(item.attempts), outcome.retryAfterSeconds * 1000LL);
                settlements.push_back(
                    {item.id, "queued", now + delay,
                     outcome.reason.empty() ? "not in the CRM's answer" : outcome.reason});
                break;
            }
        }
    }
    if (settle(settlements)) {
        synced_ += synced;
        deadLettered_ += dead;
        skipped_ += skipped;
    }
}

int64_t ReceiptSync::backoff(int attempts) {
    return backoffDelayMs(attempts, kBackoffBaseMs, config_.retryMaxSeconds * 1000LL, random_);
}

bool ReceiptSync::settle(const std::vector<Outbox::Settlement>& settlements) {
    // When this write fails the rows stay "sending" and are claimed again; the
    // CRM dedups the resend by receipt_id.
    auto settled = outbox_.settle(settlements);
    if (!settled) log_.error("receipt sync: outcomes not stored: %s", settled.error().message);
    return settled.ok();
}

std::vector<Gauge> ReceiptSync::gauges() {
    std::vector<Gauge> gauges;
    int64_t backlog = 0;
    int64_t oldest = 0;
    int64_t dead = 0;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare(
            "SELECT count(*), coalesce(min(created_at), 0) FROM outbox WHERE topic = 'receipt' AND "
            "state IN "
            "('queued', 'sending')");
        if (select.step()) {
            backlog = select.columnInt(0);
            oldest = select.columnInt(1);
        }
        auto deadCount =
            tx.prepare("SELECT count(*) FROM outbox WHERE topic = 'receipt' AND state = 'dead'");
        if (deadCount.step()) dead = deadCount.columnInt(0);
        return okStatus();
    });
    const double oldestAge = oldest > 0 ? (unixMillisNow() - oldest) / 1000.0 : 0.0;
    gauges.emplace_back("lojal_receipts_backlog", "Receipts not yet acknowledged by the CRM.",
                        static_cast<double>(backlog));
    gauges.emplace_back("lojal_receipts_oldest_unsynced_seconds",
                        "Age of the oldest receipt not yet synced.", oldestAge);
    gauges.emplace_back("lojal_receipts_dead_letters", "Receipts the CRM rejected (GET /v1/queue).",
                        static_cast<double>(dead));
    gauges.emplace_back("lojal_receipts_synced_total", "Receipts the CRM acknowledged since start.",
                        static_cast<double>(synced_.load()), "", "counter");
    gauges.emplace_back("lojal_receipts_skipped_total",
                        "Receipts this CRM cannot hold (voyado: no member), counted as synced.",
                        static_cast<double>(skipped_.load()), "", "counter");
    gauges.emplace_back("lojal_crm_failed_batches_total",
                        "Batches the CRM did not answer usefully.",
                        static_cast<double>(failedBatches_.load()), "", "counter");
    gauges.emplace_back("lojal_crm_paused", "1 while the CRM refuses the API key (401/403).",
                        paused_.load() ? 1.0 : 0.0);
    return gauges;
}

}  // namespace lojal
