#include "signup/SmsLimits.h"

#include "core/Time.h"
#include "sms/SmsQueue.h"

namespace lojal {

Result<int> SmsLimits::restore(Database& database, const std::string& storeId) {
    const int64_t wallNow = unixMillisNow();
    const auto steadyNow = std::chrono::steady_clock::now();
    int counted = 0;
    auto status = database.read([&](Transaction& tx) -> Status {
        // Sign-up SMS count against their register's token; PINs do not (kiosks
        // send them, and the per-register limit is for registers).
        auto select = tx.prepare(
            "SELECT m.phone, m.requested_by, m.created_at, "
            "EXISTS (SELECT 1 FROM signups s WHERE s.sms_id = m.id) FROM sms m "
            "WHERE m.created_at >= ?1 ORDER BY m.created_at, m.id");
        select.bind(1, wallNow - 3600 * 1000);
        while (select.step()) {
            const int64_t age = std::max<int64_t>(0, wallNow - select.columnInt(2));
            const auto when = steadyNow - std::chrono::milliseconds(age);
            (void)perNumber.take(select.columnText(0), when);
            if (select.columnInt(3) != 0 && !select.columnText(1).empty())
                (void)perRegister.take(select.columnText(1), when);
            (void)perStore.take(storeId, when);
            ++counted;
        }
        return okStatus();
    });
    if (!status) return status.error();
    return counted;
}

Result<std::optional<Refusal>> checkDailySmsBudget(Transaction& tx, int64_t nowMs,
                                                   int dailyBudget) {
    auto sentToday = smsCountToday(tx, nowMs);
    if (!sentToday) return sentToday.error();
    if (*sentToday < dailyBudget) return std::optional<Refusal>();
    return std::optional<Refusal>(
        Refusal{429, "daily_sms_budget_exhausted", "the store's SMS budget for today is used up",
                static_cast<int>(msUntilLocalMidnight(nowMs) / 1000) + 1});
}

}  // namespace lojal
