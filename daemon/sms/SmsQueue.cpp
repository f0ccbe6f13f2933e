#include "sms/SmsQueue.h"

#include <Poco/LocalDateTime.h>

#include "outbox/Outbox.h"
#include "sms/SmsText.h"

namespace lojal {
namespace {

int64_t startOfLocalDayMs(int64_t nowMs) {
    const Poco::LocalDateTime local(Poco::Timestamp(nowMs * 1000));
    const Poco::LocalDateTime midnight(local.tzd(), local.year(), local.month(), local.day(), 0, 0,
                                       0, 0, 0);
    return midnight.utc().timestamp().epochMicroseconds() / 1000;
}

}  // namespace

Result<int64_t> queueSms(Transaction& tx, const std::string& phone, const std::string& text,
                         int64_t nowMs, const std::string& requestedBy, bool secret) {
    const SmsSize size = measureSms(text);
    auto sms = tx.prepare(
        "INSERT INTO sms (phone, text, encoding, segments, created_at, updated_at, secret, "
        "requested_by) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7) RETURNING id");
    sms.bind(1, phone)
        .bind(2, text)
        .bind(3, std::string(toString(size.encoding)))
        .bind(4, static_cast<int64_t>(size.segments))
        .bind(5, nowMs)
        .bind(6, static_cast<int64_t>(secret))
        .bind(7, requestedBy);
    if (!sms.step()) return Error{ErrorCode::io, "insert SMS: " + sms.error()};
    const int64_t smsId = sms.columnInt(0);
    auto queued =
        enqueueOutbox(tx, "sms", "sms:" + std::to_string(smsId), std::to_string(smsId), nowMs);
    if (!queued) return queued.error();
    return smsId;
}

Result<int64_t> smsCountToday(Transaction& tx, int64_t nowMs) {
    auto count = tx.prepare("SELECT count(*) FROM sms WHERE created_at >= ?1");
    count.bind(1, startOfLocalDayMs(nowMs));
    if (!count.step()) return Error{ErrorCode::io, count.error()};
    return count.columnInt(0);
}

int64_t msUntilLocalMidnight(int64_t nowMs) {
    return startOfLocalDayMs(nowMs) + 86400000 - nowMs;
}

}  // namespace lojal
