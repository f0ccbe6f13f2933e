#define BOOST_TEST_MODULE api_voyado
// The voyado connector against a fake Voyado Engage on loopback: receipts one
// per request with the headers Voyado requires, retries after a 503, lookups by
// phone, deleted contacts purged, and the request rate kept under the limit.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "ExampleReceipt.h"
#include "FakeVoyado.h"
#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

// crmExtra: more [crm] keys. The tests give the sync a store's own key's
// budget (40/s) unless they set one; the default share (0.8/s) is for a chain.
std::string voyadoConfig(const FakeVoyado& voyado, const std::string& crmExtra = "") {
    const std::string budget = crmExtra.find("max_requests_per_second") == std::string::npos
                                   ? "max_requests_per_second = 40\n"
                                   : "";
    return "[store]\nid = SE-0042\ncountry = SE\n[crm]\nsync = on\nconnector = voyado\nurl = " +
           voyado.url() + "\napi_key = voyado-key\nretry_max_seconds = 1\n" + budget + crmExtra +
           "[members]\nsync_interval_seconds = 1\n";
}

int post(int port, const std::string& body) {
    return httpRequest(port, "POST", "/v1/receipts", kPosToken, body).status;
}

}  // namespace

BOOST_AUTO_TEST_CASE(receipts_go_to_voyado_with_its_headers_and_survive_a_503) {
    FakeVoyado voyado("voyado-key");
    voyado.failNextReceipts(1);
    RunningLojald lojald(voyadoConfig(voyado));
    BOOST_REQUIRE_EQUAL(post(lojald.port, kExampleReceipt), 202);
    BOOST_REQUIRE(voyado.waitForReceipts(1, 15s));
    BOOST_TEST(voyado.receiptRequests() == 2u);  // the 503, then the resend
    const std::string body = voyado.receiptBody("6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10");
    BOOST_TEST(body.find("\"matchKey\":\"+46701234567\"") != std::string::npos, body);
    BOOST_TEST(body.find("\"storeExternalId\":\"SE-0042\"") != std::string::npos, body);
    const auto headers = voyado.lastHeaders();
    BOOST_TEST(headers.at("apikey") == "voyado-key");
    BOOST_TEST(headers.at("User-Agent").rfind("Lojal-lojald/", 0) == 0u);
    BOOST_TEST(headers.at("Content-Type").rfind("application/json", 0) == 0u);

    // Without a member Voyado cannot file it: counted as synced, not sent.
    std::string anonymous = exampleReceiptWithId("anon-1");
    anonymous.erase(anonymous.find(R"("member":{"phone":"+46701234567"},)"), 34);
    BOOST_REQUIRE_EQUAL(post(lojald.port, anonymous), 202);
    BOOST_REQUIRE(eventually([&] {
        return httpRequest(lojald.port, "GET", "/metrics", kAdminToken)
                   .body.find("lojal_receipts_skipped_total 1") != std::string::npos;
    }));
    BOOST_TEST(voyado.receiptRequests() == 2u);
}

BOOST_AUTO_TEST_CASE(a_wrong_api_key_pauses_instead_of_dead_lettering) {
    FakeVoyado voyado("the-right-key");
    RunningLojald lojald(voyadoConfig(voyado));
    BOOST_REQUIRE_EQUAL(post(lojald.port, kExampleReceipt), 202);
    BOOST_REQUIRE(lojald.process->waitForOutput("receipts sync PAUSED"));
    BOOST_TEST(voyado.receiptsStored() == 0u);
}

BOOST_AUTO_TEST_CASE(lookup_by_phone_and_deleted_contacts_are_purged) {
    FakeVoyado voyado("voyado-key");
    voyado.putContact("c-guid-1", "+46701234567", 340);
    RunningLojald lojald(voyadoConfig(voyado));
    const auto found =
        httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=0701234567", kPosToken);
    BOOST_TEST(found.status == 200, found.body);
    BOOST_TEST(found.body.find("\"member_id\":\"c-guid-1\"") != std::string::npos, found.body);
    BOOST_TEST(found.body.find("\"points\":340") != std::string::npos, found.body);
    BOOST_TEST(found.body.find("\"source\":\"crm\"") != std::string::npos, found.body);
    BOOST_TEST(
        httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=0709999999", kPosToken).status ==
        404);

    voyado.deleteContact("c-guid-1");
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_REQUIRE(
        eventually([&] { return queryDatabase(db, "SELECT count(*) FROM members") == "0\n"; }));
    const auto queries = voyado.changeQueries();
    BOOST_REQUIRE(!queries.empty());
    BOOST_TEST(queries.back().find("changeType=Deleted") != std::string::npos, queries.back());
    BOOST_TEST(queries.back().find("fromDate=") != std::string::npos, queries.back());
}

BOOST_AUTO_TEST_CASE(the_request_rate_stays_under_the_limit) {
    FakeVoyado voyado("voyado-key");
    RunningLojald lojald(voyadoConfig(voyado, "max_requests_per_second = 20\n"));
    constexpr int kReceipts = 60;
    for (int i = 0; i < kReceipts; ++i) {
        std::string receipt = exampleReceiptWithId("rate-" + std::to_string(i));
        BOOST_REQUIRE_EQUAL(post(lojald.port, receipt), 202);
    }
    BOOST_REQUIRE(voyado.waitForReceipts(kReceipts, 30s));
    const auto times = voyado.receiptRequestTimes();
    size_t busiest = 0;
    for (size_t first = 0; first < times.size(); ++first) {
        const auto inWindow =
            std::count_if(times.begin() + static_cast<long>(first), times.end(),
                          [&](auto t) { return t - times[first] < std::chrono::seconds(1); });
        busiest = std::max(busiest, static_cast<size_t>(inWindow));
    }
    BOOST_TEST(busiest <= 22u, "busiest one-second window: " << busiest << " requests");
    BOOST_TEST_MESSAGE("busiest one-second window: " << busiest << " requests (limit 20/s)");
}

BOOST_AUTO_TEST_CASE(a_sign_up_creates_a_contact_with_its_consent) {
    FakeVoyado voyado("voyado-key");
    voyado.putContact("c-known", "+46709876543", 0);
    voyado.setConsentIds({"7e2c5c1a-sms-marketing"});  // the tenant's own id
    RunningLojald lojald(
        "[store]\nid = SE-0042\ncountry = SE\n[signup]\nbase_url = https://join.example.com\n"
        "secret = s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
        "[crm.voyado]\nconsent_marketing_sms = 7e2c5c1a-sms-marketing\n" +
        voyadoConfig(voyado).substr(voyadoConfig(voyado).find("[crm]")));
    const auto signup = [&](const std::string& phone) {
        return httpRequest(
                   lojald.port, "POST", "/v1/signups", kPosToken,
                   R"({"phone":")" + phone +
                       R"(","cashier_id":"c-7","register_id":"reg-1","consent":{"marketing_sms":true,"terms_version":"2026-01","text_shown":"Ja."}})")
            .status;
    };
    voyado.putContact("c-racing", "+46705550001", 0);
    voyado.hideFromNextLookup("+46705550001");       // created by another store meanwhile
    BOOST_REQUIRE_EQUAL(signup("0701234567"), 202);  // new: created
    BOOST_REQUIRE_EQUAL(signup("0709876543"), 202);  // returning: its consents updated
    BOOST_REQUIRE_EQUAL(signup("0705550001"), 202);  // create answers 409: updated then
    BOOST_REQUIRE(voyado.waitForContactRequests(4, 15s));
    const std::string created = voyado.createdContactJson("+46701234567");
    BOOST_TEST(created.find("\"acceptsSms\":true") != std::string::npos, created);
    BOOST_TEST(created.find("\"id\":\"7e2c5c1a-sms-marketing\"") != std::string::npos, created);
    for (const char* id : {"c-known", "c-racing"}) {
        const std::string updated = voyado.contactUpdateJson(id);
        BOOST_TEST(updated.find("\"acceptsSms\":true") != std::string::npos, id << updated);
        BOOST_TEST(updated.find("\"id\":\"7e2c5c1a-sms-marketing\"") != std::string::npos,
                   id << updated);
        BOOST_TEST(updated.find("mobilePhone") == std::string::npos, updated);
    }
    BOOST_TEST(voyado.createdContactJson("+46709876543").empty());  // no second contact
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_REQUIRE(eventually([&] {
        return queryDatabase(db, "SELECT count(*) FROM consents WHERE sync_state = 'synced'") ==
               "3\n";
    }));
}

// An erasure at the store reaches Voyado as DELETE /api/v2/contacts/{id}: by the
// member id when the store knows it, found by mobile phone when it does not; a
// number Voyado does not have is already erased there.
BOOST_AUTO_TEST_CASE(an_erasure_at_the_store_deletes_the_voyado_contact) {
    FakeVoyado voyado("voyado-key");
    voyado.putContact("c-guid-7", "+46707777777", 10);
    voyado.putContact("c-guid-8", "+46708888888", 10);
    RunningLojald lojald(voyadoConfig(voyado));
    const auto byId =
        httpRequest(lojald.port, "POST", "/v1/members/c-guid-7/erase", kAdminToken, "{}");
    BOOST_REQUIRE_EQUAL(byId.status, 200);
    const auto byPhone = httpRequest(lojald.port, "POST", "/v1/members/erase", kAdminToken,
                                     R"({"phone":"0708888888"})");
    BOOST_REQUIRE_EQUAL(byPhone.status, 200);
    const auto unknown = httpRequest(lojald.port, "POST", "/v1/members/erase", kAdminToken,
                                     R"({"phone":"0705550000"})");
    BOOST_REQUIRE_EQUAL(unknown.status, 200);
    BOOST_REQUIRE(voyado.waitForDeletes(2, 10s));
    auto deleted = voyado.deletedByApi();
    std::sort(deleted.begin(), deleted.end());
    BOOST_TEST(deleted ==
               (std::vector<std::string>{"c-guid-7 source=lojald", "c-guid-8 source=lojald"}));
    // All three are settled (the unknown number as nothing to delete): no backlog.
    BOOST_REQUIRE(eventually([&] {
        return queryDatabase(lojald.dir.file("lojal.db"),
                             "SELECT count(*) FROM outbox WHERE topic = 'erasure' AND state = "
                             "'done'") == "3\n";
    }));
}

// Sign-ups with the voyado connector need the tenant's consent id: lojald says
// which key at start instead of sending Lojal's purpose name.
BOOST_AUTO_TEST_CASE(voyado_with_sign_ups_and_no_consent_id_is_refused_at_start) {
    FakeVoyado voyado("voyado-key");
    TempDir dir;
    const std::string config =
        writeTestConfig(dir, freePort(),
                        "[signup]\nbase_url = https://join.example.com\nsecret = "
                        "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n" +
                            voyadoConfig(voyado));
    LojaldProcess lojald({"--config", config}, dir.path());
    BOOST_TEST((lojald.waitForExit(10s) == 78));
    BOOST_TEST(lojald.output().find("crm.voyado.consent_marketing_sms") != std::string::npos,
               lojald.output());
}

// A receipt Voyado already has (a resend after a lost answer) is delivered,
// whether the tenant answers 2xx or 409, never a dead letter.
BOOST_AUTO_TEST_CASE(a_known_receipt_answered_409_counts_as_delivered) {
    FakeVoyado voyado("voyado-key");
    voyado.answerKnownReceiptsWith(409);
    voyado.storeReceipt("dup-1");  // it arrived before, the answer was lost
    RunningLojald lojald(voyadoConfig(voyado));
    BOOST_REQUIRE_EQUAL(post(lojald.port, lojal::test::exampleReceiptWithId("dup-1")), 202);
    BOOST_REQUIRE_EQUAL(post(lojald.port, lojal::test::exampleReceiptWithId("new-1")), 202);
    BOOST_REQUIRE(voyado.waitForReceipts(2, 10s));
    BOOST_REQUIRE(eventually([&] {
        return queryDatabase(lojald.dir.file("lojal.db"),
                             "SELECT count(*) FROM outbox WHERE topic = 'receipt' AND state = "
                             "'done'") == "2\n";
    }));
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"),
                             "SELECT count(*) FROM outbox WHERE state = 'dead'") == "0\n");
}
