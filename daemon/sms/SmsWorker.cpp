#include "sms/SmsWorker.h"

#include <chrono>

#include "core/Crypto.h"
#include "core/Time.h"

namespace lojal {
namespace {

constexpr int kMaxAttempts = 10;
constexpr int64_t kBackoffBaseMs = 1000;
constexpr int64_t kBackoffCapMs = 10 * 60 * 1000;

// The worker's own progress (queued, sending, sent, failed) never overwrites what a
// delivery report already settled: Kannel can report "delivered" before its
// sendsms answer has reached us.
Status setSmsState(Transaction& tx, int64_t smsId, const std::string& state,
                   const std::string& gatewayId, const std::string& reason) {
    auto update = tx.prepare(
        "UPDATE sms SET state = ?2, gateway_id = coalesce(nullif(?3, ''), gateway_id), reason = "
        "?4, updated_at = ?5 "
        "WHERE id = ?1 AND state IN ('queued', 'sending')");
    update.bind(1, smsId)
        .bind(2, state)
        .bind(3, gatewayId)
        .bind(4, reason)
        .bind(5, unixMillisNow());
    if (auto done = update.execute(); !done) return done.error();
    if (state == "sent" || state == "failed") {
        auto scrub = tx.prepare(
            "UPDATE sms SET text = '<erased: one-time code>' WHERE id = ?1 AND secret = 1");
        scrub.bind(1, smsId);
        if (auto done = scrub.execute(); !done) return done.error();
    }
    return okStatus();
}

}  // namespace

SmsWorker::SmsWorker(const Config& config, Database& database,
                     std::unique_ptr<sms::SmsGateway> gateway)
    : config_(config),
      database_(database),
      outbox_(database),
      gateway_(std::move(gateway)),
      log_(Poco::Logger::get("lojal.sms")),
      drainer_(outbox_, "sms", 20, [this](const std::vector<OutboxItem>& items) {
          for (const OutboxItem& item : items) sendOne(item);
      }) {}

SmsWorker::~SmsWorker() {
    stop();
}

void SmsWorker::start() {
    drainer_.start();  // it says how many SMS were in flight at a crash
}

void SmsWorker::stop() {
    drainer_.stop();
}

void SmsWorker::wake() {
    drainer_.wake();
}

void SmsWorker::count(const std::string& outcome) {
    std::lock_guard lock(mutex_);
    ++counters_[outcome];
}

std::map<std::string, uint64_t> SmsWorker::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

std::string SmsWorker::dlrSignature(int64_t smsId) const {
    const auto mac = hmacSha256(config_.signup.secret, "dlr:" + std::to_string(smsId));
    return base64Url(mac.data(), 12);
}

void SmsWorker::sendOne(const OutboxItem& item) {
    const int64_t smsId = std::stoll(item.payload);
    sms::OutgoingSms message;
    message.id = smsId;
    std::string encoding;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare("SELECT phone, text, encoding FROM sms WHERE id = ?1");
        select.bind(1, smsId);
        if (select.step()) {
            message.to = select.columnText(0);
            message.text = select.columnText(1);
            encoding = select.columnText(2);
        }
        return okStatus();
    });
    message.unicode = encoding == "UCS-2";
    if (!config_.sms.dlrBaseUrl.empty() && gateway_->reportsDelivery()) {
        message.dlrUrl = config_.sms.dlrBaseUrl + "/v1/sms/dlr?id=" + std::to_string(smsId) +
                         "&sig=" + dlrSignature(smsId) + "&type=%d";
    }
    (void)database_.write(
        [&](Transaction& tx) { return setSmsState(tx, smsId, "sending", "", ""); });

    const sms::SendOutcome outcome = gateway_->send(message);
    Status recorded = okStatus();
    if (outcome.kind == sms::SendOutcome::Kind::accepted) {
        recorded = outbox_.complete(item.id, [&](Transaction& tx) {
            return setSmsState(tx, smsId, "sent", outcome.gatewayId, "");
        });
        count("sent");
    } else if (outcome.kind == sms::SendOutcome::Kind::permanent || item.attempts >= kMaxAttempts) {
        log_.warning("SMS %Ld failed for good after %d attempt(s): %s", smsId, item.attempts,
                     outcome.reason);
        recorded = outbox_.deadLetter(item.id, outcome.reason, [&](Transaction& tx) {
            return setSmsState(tx, smsId, "failed", "", outcome.reason);
        });
        count("failed");
    } else {
        const int64_t delay = std::max<int64_t>(
            outcome.retryAfterSeconds * 1000LL,
            backoffDelayMs(item.attempts, kBackoffBaseMs, kBackoffCapMs, random_));
        log_.information("SMS %Ld: %s; retry %d in %Ld ms", smsId, outcome.reason, item.attempts,
                         delay);
        recorded = outbox_.retryLater(
            item.id, unixMillisNow() + delay, outcome.reason,
            [&](Transaction& tx) { return setSmsState(tx, smsId, "queued", "", outcome.reason); });
        count("retried");
    }
    if (!recorded)
        log_.error("SMS %Ld: cannot record the outcome: %s", smsId, recorded.error().message);
}

Status SmsWorker::applyDeliveryReport(int64_t smsId, int type) {
    std::string state;
    std::string reason;
    switch (type) {
        case 1: state = "delivered"; break;
        case 2:
            state = "failed";
            reason = "not delivered to the phone";
            break;
        case 16:
            state = "failed";
            reason = "rejected by the SMSC";
            break;
        case 8: state = "sent"; break;
        default: return okStatus();  // 4: buffered, nothing settled yet
    }
    count("dlr_" + state);
    return database_.write([&](Transaction& tx) -> Status {
        // A late "accepted" report must not undo "delivered".
        auto current = tx.prepare("SELECT state FROM sms WHERE id = ?1");
        current.bind(1, smsId);
        if (!current.step()) return Error{ErrorCode::arg, "no such SMS"};
        if (current.columnText(0) == "delivered" && state != "delivered") return okStatus();
        auto update =
            tx.prepare("UPDATE sms SET state = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1");
        update.bind(1, smsId).bind(2, state).bind(3, reason).bind(4, unixMillisNow());
        if (auto done = update.execute(); !done) return done.error();
        return okStatus();
    });
}

}  // namespace lojal
