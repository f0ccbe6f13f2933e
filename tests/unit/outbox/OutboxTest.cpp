#define BOOST_TEST_MODULE outbox
// The one durable outbox on a real SQLite file: what a crash leaves "sending" is
// recovered per topic, by that topic's drainer.
#include <boost/test/unit_test.hpp>

#include "LojaldProcess.h"
#include "outbox/Outbox.h"
#include "store/Database.h"

using namespace lojal;
using lojal::test::TempDir;

BOOST_AUTO_TEST_CASE(rows_left_sending_are_recovered_per_topic) {
    TempDir dir;
    DatabaseConfig config;
    config.path = dir.file("lojal.db");
    auto database = Database::open(config);
    BOOST_REQUIRE(database.ok());
    BOOST_REQUIRE((*database)->write([](Transaction& tx) -> Status {
        for (const char* key : {"s1", "s2", "s3"}) (void)enqueueOutbox(tx, "sms", key, "x", 1);
        for (const char* key : {"r1", "r2", "r3", "r4", "r5"})
            (void)enqueueOutbox(tx, "receipt", key, "x", 1);
        return okStatus();
    }));
    Outbox outbox(**database);
    BOOST_REQUIRE_EQUAL(outbox.claimDue("sms", 10, 10)->size(), 3u);
    BOOST_REQUIRE_EQUAL(outbox.claimDue("receipt", 10, 10)->size(), 5u);
    // A crash: every claimed row is still "sending". Each topic gets its own back.
    BOOST_TEST(*outbox.recoverInFlight("sms") == 3);
    BOOST_TEST(*outbox.recoverInFlight("receipt") == 5);
    BOOST_TEST(*outbox.recoverInFlight("receipt") == 0);
    BOOST_TEST(outbox.claimDue("sms", 10, 10)->size() == 3u);
}
