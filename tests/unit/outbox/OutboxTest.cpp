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

// Store IT's view: rows by state and topic, one row, dead letters requeued
// (never SMS), and per-topic statistics.
BOOST_AUTO_TEST_CASE(dead_letters_are_listed_and_requeued_except_sms) {
    TempDir dir;
    DatabaseConfig config;
    config.path = dir.file("lojal.db");
    auto database = Database::open(config);
    BOOST_REQUIRE(database.ok());
    std::vector<int64_t> ids;
    BOOST_REQUIRE((*database)->write([&](Transaction& tx) -> Status {
        ids.clear();
        for (const char* topic : {"receipt", "receipt", "signup", "sms", "receipt"})
            ids.push_back(*enqueueOutbox(
                tx, topic, std::string("k").append(std::to_string(ids.size())), "x", 100));
        return okStatus();
    }));
    Outbox outbox(**database);
    for (int i = 0; i < 4; ++i)
        BOOST_REQUIRE(outbox.deadLetter(ids[static_cast<size_t>(i)], "HTTP 422", nullptr));
    BOOST_TEST(outbox.list("dead", "", 100)->size() == 4u);
    BOOST_TEST(outbox.list("dead", "receipt", 100)->size() == 2u);
    BOOST_TEST(outbox.list("", "", 2)->size() == 2u);  // newest first, limited
    BOOST_TEST(outbox.list("", "", 2)->front().id == ids[4]);
    const auto row = outbox.find(ids[0]);
    BOOST_REQUIRE(row.ok() && row->has_value());
    BOOST_TEST((*row)->state == "dead");
    BOOST_TEST((*row)->lastError == "HTTP 422");
    BOOST_TEST(!outbox.find(999)->has_value());

    auto stats = outbox.stats();
    BOOST_REQUIRE(stats.ok());
    BOOST_TEST(stats->at("receipt").dead == 2);
    BOOST_TEST(stats->at("receipt").backlog == 1);
    BOOST_TEST(stats->at("receipt").oldestBacklogMs == 100);

    BOOST_TEST(*outbox.requeueDead(ids[3], "", 200) == 0);  // the SMS stays dead
    BOOST_TEST(*outbox.requeueDead(ids[0], "", 200) == 1);
    BOOST_TEST(*outbox.requeueDead(0, "receipt", 200) == 1);  // the other dead receipt
    BOOST_TEST(*outbox.requeueDead(0, "", 200) == 1);         // the sign-up; not the SMS
    BOOST_TEST(outbox.list("dead", "", 100)->size() == 1u);
    BOOST_TEST((*outbox.find(ids[0]))->attempts == 0);
    // Requeued rows are due now, in the order they were stored.
    const auto due = outbox.claimDue("receipt", 200, 10);
    BOOST_REQUIRE_EQUAL(due->size(), 3u);
    BOOST_TEST(due->at(0).id == ids[4]);  // next_attempt_at 100 before 200
}
