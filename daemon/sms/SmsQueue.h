#pragma once
// Queues one SMS inside the caller's transaction: the sms row (text, encoding,
// segments) and its outbox row, so the message is durable exactly when the
// data it belongs to is.

#include <string>

#include "store/Database.h"

namespace lojal {

// requestedBy: the name of the token whose request sends it (per-register limits).
// secret: the text holds a one-time code; it is erased once the SMS is sent or failed.
Result<int64_t> queueSms(Transaction& tx, const std::string& phone, const std::string& text,
                         int64_t nowMs, const std::string& requestedBy, bool secret = false);

// SMS created since the local midnight before nowMs (for the daily budget).
Result<int64_t> smsCountToday(Transaction& tx, int64_t nowMs);
// Milliseconds from nowMs to the next local midnight.
int64_t msUntilLocalMidnight(int64_t nowMs);

}  // namespace lojal
