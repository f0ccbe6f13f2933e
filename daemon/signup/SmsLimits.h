#pragma once
// The abuse limits every SMS a request would send passes, shared by sign-ups and
// kiosk PINs so one number, register or store cannot double its allowance by
// using both. (The daily budget is counted in the database, in the same write.)

#include <optional>
#include <set>
#include <string>

#include "config/Config.h"
#include "signup/RateLimiter.h"
#include "signup/RequestFields.h"
#include "store/Database.h"

namespace lojal {

struct SmsLimits {
    explicit SmsLimits(const Config& config)
        : perNumber({static_cast<double>(config.limits.perNumberPerHour),
                     config.limits.perNumberPerHour / 3600.0}),
          perRegister({static_cast<double>(config.limits.perRegisterPerMinute),
                       config.limits.perRegisterPerMinute / 60.0}),
          perStore({static_cast<double>(config.limits.perStorePerMinute),
                    config.limits.perStorePerMinute / 60.0}),
          allowedCountries(config.signup.allowedCountries.begin(),
                           config.signup.allowedCountries.end()) {
        if (allowedCountries.empty()) allowedCountries.insert(config.store.country);
    }

    // The buckets as the SMS of the last hour left them, replayed from the sms
    // table at start, so a restart gives no one a fresh allowance. Returns how
    // many SMS were counted.
    Result<int> restore(Database& database, const std::string& storeId);

    RateLimiter perNumber;
    RateLimiter perRegister;  // keyed on the token's name (a register's own token)
    RateLimiter perStore;
    std::set<std::string> allowedCountries;
};

// The store's SMS budget for the local day, counted in the database inside the
// caller's write: the refusal (429 with Retry-After to midnight), or nothing.
Result<std::optional<Refusal>> checkDailySmsBudget(Transaction& tx, int64_t nowMs, int dailyBudget);

}  // namespace lojal
