#include "signup/SignupSync.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

namespace lojal {
namespace {

int64_t signupIdOf(const std::string& key) {
    const size_t slash = key.rfind('/');
    try {
        return slash == std::string::npos ? 0 : std::stoll(key.substr(slash + 1));
    } catch (const std::exception&) {
        return 0;
    }
}

std::string rfc3339(int64_t unixMillis) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(unixMillis * 1000),
                                           Poco::DateTimeFormat::ISO8601_FORMAT);
}

std::optional<crm::OutgoingSignup> loadSignup(Transaction& tx, const std::string& key) {
    auto signup = tx.prepare(
        "SELECT phone, locale, store_id, register_id, cashier_id, created_at FROM signups WHERE id "
        "= ?1");
    const int64_t id = signupIdOf(key);
    signup.bind(1, id);
    if (!signup.step()) return std::nullopt;
    crm::OutgoingSignup out;
    out.key = key;
    out.phone = signup.columnText(0);
    out.locale = signup.columnText(1);
    out.storeId = signup.columnText(2);
    out.registerId = signup.columnText(3);
    out.cashierId = signup.columnText(4);
    out.createdAt = rfc3339(signup.columnInt(5));
    auto consents = tx.prepare(
        "SELECT purpose, granted, text_version, text_shown FROM consents WHERE signup_id = ?1 "
        "ORDER BY id");
    consents.bind(1, id);
    while (consents.step()) {
        out.consents.push_back({consents.columnText(0), consents.columnInt(1) != 0,
                                consents.columnText(2), consents.columnText(3)});
    }
    return out;
}

}  // namespace

std::string signupSyncKey(const std::string& storeId, int64_t signupId) {
    std::string key = storeId;
    key += "/signup/";
    key += std::to_string(signupId);
    return key;
}

CrmTopic signupSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector) {
    CrmTopic topic;
    topic.name = "signup";
    topic.plural = "signups";
    topic.send = [&database, connector](const std::vector<OutboxItem>& items) {
        std::vector<crm::OutgoingSignup> signups;
        std::vector<std::string> vanished;
        (void)database.read([&](Transaction& tx) {
            for (const OutboxItem& item : items) {
                if (auto signup = loadSignup(tx, item.payload))
                    signups.push_back(std::move(*signup));
                else
                    vanished.push_back(item.payload);
            }
            return okStatus();
        });
        crm::BatchOutcome outcome =
            signups.empty() ? crm::BatchOutcome{crm::BatchOutcome::Kind::answered, {}, "", 0}
                            : connector->sendSignups(signups);
        // Erased (GDPR) after it was queued: nothing left to send.
        for (const std::string& key : vanished)
            outcome.results[key] = {crm::ReceiptResult::Outcome::skipped, "erased before sync"};
        return outcome;
    };
    topic.onSynced = [](Transaction& tx, const std::vector<std::string>& keys) -> Status {
        for (const std::string& key : keys) {
            auto update =
                tx.prepare("UPDATE consents SET sync_state = 'synced' WHERE signup_id = ?1");
            update.bind(1, signupIdOf(key));
            if (auto done = update.execute(); !done) return done.error();
        }
        return okStatus();
    };
    return topic;
}

}  // namespace lojal
