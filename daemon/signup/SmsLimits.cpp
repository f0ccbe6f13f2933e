#include "signup/SmsLimits.h"

#include "sms/SmsQueue.h"

namespace lojal {

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
