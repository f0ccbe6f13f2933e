#define BOOST_TEST_MODULE retention
// Retention of personal data on a real SQLite file: each kind goes after its
// days, and only once nothing needs it any more.
#include <boost/test/unit_test.hpp>

#include "LojaldProcess.h"
#include "outbox/Outbox.h"
#include "retention/Retention.h"
#include "store/Database.h"

using namespace lojal;
using lojal::test::TempDir;

namespace {

constexpr int64_t kDay = 86400000LL;
constexpr int64_t kNow = 400 * kDay;

int64_t count(Database& database, const std::string& sql) {
    int64_t value = -1;
    (void)database.read([&](Transaction& tx) {
        auto select = tx.prepare(sql);
        if (select.step()) value = select.columnInt(0);
        return okStatus();
    });
    return value;
}

void exec(Database& database, const std::string& sql) {
    const Status done = database.write([&](Transaction& tx) { return tx.exec(sql); });
    BOOST_REQUIRE_MESSAGE(done.ok(), (done.ok() ? std::string() : done.error().message));
}

// A sign-up of `age` days with its consent, SMS and CRM row in `state`.
void signup(Database& database, int id, int ageDays, const std::string& crmState,
            const std::string& smsState) {
    const std::string at = std::to_string(kNow - ageDays * kDay);
    const std::string n = std::to_string(id);
    exec(database,
         "INSERT INTO sms (id, phone, text, encoding, segments, state, created_at, updated_at) "
         "VALUES (" +
             n + ", '+4670000000" + n + "', 'hi', 'gsm7', 1, '" + smsState + "', " + at + ", " +
             at +
             ");"
             "INSERT INTO signups (id, phone, locale, store_id, register_id, cashier_id, sms_id, "
             "created_at) VALUES (" +
             n + ", '+4670000000" + n + "', 'sv', 's', 'r', 'c', " + n + ", " + at +
             ");"
             "INSERT INTO consents (signup_id, purpose, granted, text_version, text_shown, "
             "store_id, "
             "register_id, cashier_id, created_at, sync_state) VALUES (" +
             n + ", 'marketing_sms', 1, 'v1', 'text', 's', 'r', 'c', " + at + ", '" +
             (crmState == "done" ? "synced" : "pending") +
             "');"
             "INSERT INTO outbox (topic, idempotency_key, payload, state, next_attempt_at, "
             "created_at, updated_at) VALUES ('signup', 'signup:" +
             n + "', x'78', '" + crmState + "', " + at + ", " + at + ", " + at + ");");
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_kind_of_personal_data_goes_after_its_days_once_unneeded) {
    TempDir dir;
    DatabaseConfig config;
    config.path = dir.file("lojal.db");
    auto opened = Database::open(config);
    BOOST_REQUIRE(opened.ok());
    Database& database = **opened;
    signup(database, 1, 40, "done", "delivered");  // old, synced: goes
    signup(database, 2, 40, "queued", "sent");     // old, still for the CRM: stays
    signup(database, 3, 5, "done", "delivered");   // recent: stays
    exec(database,
         "INSERT INTO otp (phone, code_hash, expires_at, created_at) VALUES "
         "('+46700000009', 'h', 0, " +
             std::to_string(kNow - 2 * kDay) +
             "), "
             "('+46700000009', 'h', 0, " +
             std::to_string(kNow - 1000) +
             ");"
             "INSERT INTO members (member_id, synced_at) VALUES ('old', " +
             std::to_string(kNow - 100 * kDay) + "), ('fresh', " + std::to_string(kNow - kDay) +
             ");"
             "INSERT INTO sms (phone, text, encoding, segments, state, created_at, updated_at) "
             "VALUES "
             "('+46700000010', 'queued long ago', 'gsm7', 1, 'queued', 0, 0);");

    RetentionConfig retention;  // 30, 30, 14, 1, 90 days
    auto purged = purgeExpiredPersonalData(database, retention, kNow);
    BOOST_REQUIRE_MESSAGE(purged.ok(), (purged.ok() ? std::string() : purged.error().message));
    BOOST_TEST(purged->at("signups") == 1);
    BOOST_TEST(purged->at("otp") == 1);
    BOOST_TEST(purged->at("members") == 1);
    BOOST_TEST(purged->at("sms") == 2);  // sign-up 1's and 2's (final, 40 days); not the queued one
    BOOST_TEST(count(database, "SELECT count(*) FROM signups") == 2);
    BOOST_TEST(count(database, "SELECT count(*) FROM signups WHERE id = 1") == 0);
    BOOST_TEST(count(database, "SELECT count(*) FROM consents WHERE signup_id = 1") == 0);
    BOOST_TEST(count(database, "SELECT count(*) FROM consents WHERE signup_id = 2") == 1);
    BOOST_TEST(count(database, "SELECT count(*) FROM outbox WHERE idempotency_key = 'signup:1'") ==
               0);
    BOOST_TEST(count(database, "SELECT count(*) FROM outbox WHERE idempotency_key = 'signup:2'") ==
               1);
    BOOST_TEST(count(database, "SELECT sms_id IS NULL FROM signups WHERE id = 2") == 1);
    BOOST_TEST(count(database, "SELECT count(*) FROM sms WHERE state = 'queued'") == 1);
    BOOST_TEST(count(database, "SELECT count(*) FROM members") == 1);
    BOOST_TEST(count(database, "SELECT count(*) FROM otp") == 1);

    // A second run finds nothing more; 0 days keeps a kind.
    retention.signupsDays = 0;
    purged = purgeExpiredPersonalData(database, retention, kNow + 1000 * kDay);
    BOOST_REQUIRE(purged.ok());
    BOOST_TEST(purged->count("signups") == 0u);
    BOOST_TEST(count(database, "SELECT count(*) FROM signups") == 2);
}

BOOST_AUTO_TEST_CASE(synced_consents_go_before_their_sign_ups) {
    TempDir dir;
    DatabaseConfig config;
    config.path = dir.file("lojal.db");
    auto opened = Database::open(config);
    BOOST_REQUIRE(opened.ok());
    signup(**opened, 1, 20, "done", "delivered");
    RetentionConfig retention;
    retention.consentsDays = 10;
    auto purged = purgeExpiredPersonalData(**opened, retention, kNow);
    BOOST_REQUIRE(purged.ok());
    BOOST_TEST(purged->at("consents") == 1);
    BOOST_TEST(purged->at("signups") == 0);
}
