#define BOOST_TEST_MODULE api_receipts
#include <boost/test/unit_test.hpp>

#include "ExampleReceipt.h"

#include <signal.h>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

const std::string& kExample = lojal::test::kExampleReceipt;

HttpResult post(int port, const std::string& json) {
    return httpRequest(port, "POST", "/v1/receipts", kPosToken, json);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_example_is_stored_once_and_resends_are_harmless) {
    RunningLojald lojald;
    const auto first = post(lojald.port, kExample);
    BOOST_TEST(first.status == 202, first.body);
    const auto again = post(lojald.port, kExample);
    BOOST_TEST(again.status == 200);
    BOOST_TEST(again.body.find("\"status\":\"duplicate\"") != std::string::npos);
    std::string changed = kExample;
    changed.replace(changed.find("\"C17\""), 5, "\"C18\"");
    const auto conflict = post(lojald.port, changed);
    BOOST_TEST(conflict.status == 409);
    BOOST_TEST(errorCode(conflict.body) == "receipt_conflict");
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM receipts") == "1\n");
    BOOST_TEST(queryDatabase(db, "SELECT topic || ' ' || state FROM outbox") == "receipt queued\n");
    const auto status = httpRequest(lojald.port, "GET",
                                    "/v1/receipts/6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10", kPosToken);
    BOOST_TEST(status.body.find("\"status\":\"queued\"") != std::string::npos, status.body);
}

BOOST_AUTO_TEST_CASE(bad_receipts_are_400_with_code_and_path_and_nothing_is_stored) {
    RunningLojald lojald;
    const auto malformed = post(lojald.port, "{\"receipt_id\": 7");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(errorCode(malformed.body) == "invalid_json");
    std::string noOffset = kExample;
    noOffset.replace(noOffset.find("+01:00"), 6, "");
    const auto time = post(lojald.port, noOffset);
    BOOST_TEST(time.status == 400);
    BOOST_TEST(errorCode(time.body) == "invalid_time");
    BOOST_TEST(time.body.find("\"path\":\"$.time\"") != std::string::npos, time.body);
    std::string card = kExample;
    card.replace(card.find("Kaffe 450 g"), 11, "4111-1111-1111-1111");
    const auto pan = post(lojald.port, card);
    BOOST_TEST(pan.status == 400);
    BOOST_TEST(errorCode(pan.body) == "card_number_refused");
    BOOST_TEST(pan.body.find("4111") == std::string::npos);  // not echoed back either
    const auto huge = rawExchange(
        lojald.port, "POST /v1/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         std::string(kPosToken) +
                         "\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n");
    BOOST_TEST(rawStatus(huge) == 413);
    const auto kiosk = httpRequest(lojald.port, "POST", "/v1/receipts", kKioskToken, kExample);
    BOOST_TEST(kiosk.status == 403);
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"), "SELECT count(*) FROM receipts") ==
               "0\n");
    BOOST_TEST(lojald.process->output().find("4111") == std::string::npos);  // nor logged
}

BOOST_AUTO_TEST_CASE(every_receipt_answered_202_survives_kill_9) {
    TempDir dir;
    const int port = freePort();
    const std::string config = writeTestConfig(dir, port);
    std::vector<std::string> acknowledged;
    {
        LojaldProcess lojald({"--config", config}, dir.path());
        BOOST_REQUIRE(lojald.waitUntilReady());
        for (int i = 0; i < 200; ++i) {
            const std::string id = "r-" + std::to_string(i);
            if (post(port, exampleReceiptWithId(id)).status == 202) acknowledged.push_back(id);
        }
        lojald.signal(SIGKILL);
        BOOST_REQUIRE(lojald.waitForExit().has_value());
    }
    BOOST_REQUIRE_EQUAL(acknowledged.size(), 200u);
    LojaldProcess again({"--config", config}, dir.path());
    BOOST_REQUIRE(again.waitUntilReady());
    BOOST_TEST(queryDatabase(dir.file("lojal.db"), "SELECT count(*) FROM receipts") == "200\n");
    BOOST_TEST(post(port, exampleReceiptWithId("r-7")).status ==
               200);  // still known: a resend is a duplicate
}
