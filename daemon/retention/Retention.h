#pragma once
// Retention of the personal data other than receipts (ReceiptService purges
// those): each kind is deleted [retention] N days after it stopped being needed.
//   sign-ups   N days after they were taken, once the CRM has them (or gave up),
//              with their consents and SMS links
//   consents   N days after they were given, once synced to the CRM
//   SMS        N days after they were queued, once final (sent, delivered, failed):
//              number, text and delivery report go together
//   kiosk PINs N days after they were asked for
//   members    cached members the down-sync has not refreshed for N days
// 0 days keeps a kind until it is erased. One transaction per run.

#include <cstdint>
#include <map>
#include <string>

#include "config/Config.h"
#include "store/Database.h"

namespace lojal {

// Rows deleted, by kind: "signups", "consents", "sms", "otp", "members".
Result<std::map<std::string, int>> purgeExpiredPersonalData(Database& database,
                                                            const RetentionConfig& retention,
                                                            int64_t nowMs);

}  // namespace lojal
