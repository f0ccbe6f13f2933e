#include "retention/Retention.h"

namespace lojal {

namespace {

constexpr int64_t kDayMs = 86400000LL;

// Runs each statement with ?1 = cutoff; returns the changes of the last one.
Result<int> run(Transaction& tx, std::initializer_list<const char*> statements, int64_t cutoff) {
    int changed = 0;
    for (const char* sql : statements) {
        auto statement = tx.prepare(sql);
        statement.bind(1, cutoff);
        if (auto done = statement.execute(); !done) return done.error();
        changed = tx.changes();
    }
    return changed;
}

// A sign-up whose CRM row is still queued or being sent is needed: it stays.
constexpr const char* kSignupsDue =
    "SELECT id FROM signups WHERE created_at < ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE "
    "o.topic = 'signup' AND o.idempotency_key = 'signup:' || signups.id AND o.state IN "
    "('queued', 'sending'))";

}  // namespace

Result<std::map<std::string, int>> purgeExpiredPersonalData(Database& database,
                                                            const RetentionConfig& retention,
                                                            int64_t nowMs) {
    std::map<std::string, int> purged;
    const auto cutoff = [nowMs](int days) { return days > 0 ? nowMs - days * kDayMs : 0; };
    auto written = database.write([&](Transaction& tx) -> Status {
        purged.clear();
        if (retention.consentsDays > 0) {
            auto done =
                run(tx, {"DELETE FROM consents WHERE sync_state = 'synced' AND created_at < ?1"},
                    cutoff(retention.consentsDays));
            if (!done) return done.error();
            purged["consents"] = *done;
        }
        if (retention.signupsDays > 0) {
            const std::string due = kSignupsDue;
            const std::string consents = "DELETE FROM consents WHERE signup_id IN (" + due + ")";
            const std::string outbox =
                "DELETE FROM outbox WHERE topic = 'signup' AND state IN ('done', 'dead') AND "
                "idempotency_key IN (SELECT 'signup:' || id FROM (" +
                due + "))";
            const std::string signups = "DELETE FROM signups WHERE id IN (" + due + ")";
            auto consentsGone = run(tx, {consents.c_str()}, cutoff(retention.signupsDays));
            if (!consentsGone) return consentsGone.error();
            purged["consents"] += *consentsGone;
            auto done = run(tx, {outbox.c_str(), signups.c_str()}, cutoff(retention.signupsDays));
            if (!done) return done.error();
            purged["signups"] = *done;
        }
        if (retention.otpDays > 0) {
            auto done =
                run(tx, {"DELETE FROM otp WHERE created_at < ?1"}, cutoff(retention.otpDays));
            if (!done) return done.error();
            purged["otp"] = *done;
        }
        if (retention.smsDays > 0) {
            // Sign-ups and codes keep their rows but lose the link to the SMS.
            constexpr const char* finalSms =
                "SELECT id FROM sms WHERE created_at < ?1 AND state IN ('sent', 'delivered', "
                "'failed')";
            const std::string unlinkSignups =
                std::string("UPDATE signups SET sms_id = NULL WHERE sms_id IN (") + finalSms + ")";
            const std::string unlinkOtp =
                std::string("UPDATE otp SET sms_id = NULL WHERE sms_id IN (") + finalSms + ")";
            const std::string outbox =
                std::string(
                    "DELETE FROM outbox WHERE topic = 'sms' AND state IN ('done', 'dead') "
                    "AND idempotency_key IN (SELECT 'sms:' || id FROM (") +
                finalSms + "))";
            const std::string sms = std::string("DELETE FROM sms WHERE id IN (") + finalSms + ")";
            auto done =
                run(tx, {unlinkSignups.c_str(), unlinkOtp.c_str(), outbox.c_str(), sms.c_str()},
                    cutoff(retention.smsDays));
            if (!done) return done.error();
            purged["sms"] = *done;
        }
        if (retention.memberCacheDays > 0) {
            auto done = run(tx, {"DELETE FROM members WHERE synced_at < ?1"},
                            cutoff(retention.memberCacheDays));
            if (!done) return done.error();
            purged["members"] = *done;
        }
        return okStatus();
    });
    if (!written) return written.error();
    return purged;
}

}  // namespace lojal
