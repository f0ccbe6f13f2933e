#define BOOST_TEST_MODULE api_members
// Member lookup (CRM first, cache when the CRM is slow or down), the down-sync
// of members and offers, GDPR erasure (from the CRM's feed and on request) and
// the retention purge of synced receipts.
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <ctime>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "TestCrm.h"
#include "barcode/MemberToken.h"

using namespace lojal::test;

namespace {

const std::string kQrKey = "member-qr-test-key";

std::string config(const TestCrm& crm, const std::string& extra = "") {
    return "[store]\nid = SE-0042\nname = Rusta\ncountry = SE\n"
           "[signup]\nbase_url = https://join.example.com\nsecret = "
           "s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[scanning]\nmember_qr_key = " +
           kQrKey + "\n[crm]\nsync = on\nurl = " + crm.url() +
           "\napi_key = k\nretry_max_seconds = 1\nhealth_probe_seconds = 1\n[members]\n"
           "sync_interval_seconds = 1\n" +
           extra;
}

HttpResult lookup(int port, const std::string& query, const std::string& token = kPosToken) {
    return httpRequest(port, "GET", "/v1/members/lookup?" + query, token);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string receiptOf(const std::string& id, const std::string& phone) {
    std::string json = exampleReceiptWithId(id);
    return json.replace(json.find("+46701234567"), 12, phone);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_crm_answers_first_and_the_cache_when_it_is_slow_or_down) {
    TestCrm crm;
    crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
    crm.putOffer("O1", "Double points", "gold");
    crm.putOffer("O2", "Free coffee", "");
    crm.putOffer("O3", "Silver only", "silver");
    RunningLojald lojald(config(crm));

    const auto online = lookup(lojald.port, "phone=070-123%2045%2067");
    BOOST_TEST(online.status == 200, online.body);
    BOOST_TEST(has(online.body, "\"source\":\"crm\""), online.body);
    BOOST_TEST(has(online.body, "\"member_id\":\"M1\""), online.body);
    BOOST_TEST(has(online.body, "\"points\":120"), online.body);
    BOOST_REQUIRE(eventually([&] {  // offers come with the down-sync
        const auto body = lookup(lojald.port, "phone=%2B46701234567").body;
        return has(body, "\"O1\"") && has(body, "\"O2\"") && !has(body, "\"O3\"");
    }));

    crm.setMemberDelay(2000);  // slower than lookup_timeout_ms (300)
    const auto slow = lookup(lojald.port, "card=card-tok-1");
    BOOST_TEST(slow.status == 200, slow.body);
    BOOST_TEST(has(slow.body, "\"source\":\"cache\""), slow.body);
    BOOST_TEST(has(slow.body, "\"cache_age_seconds\":"), slow.body);
    BOOST_TEST(has(slow.body, "\"member_id\":\"M1\""), slow.body);
    crm.setMemberDelay(0);

    crm.setMembersDown(true);
    const auto down = lookup(lojald.port, "phone=%2B46701234567");
    BOOST_TEST(has(down.body, "\"source\":\"cache\""), down.body);
    // Two misses in a row: the CRM is known down, and lookups no longer wait for it.
    const auto unknown = lookup(lojald.port, "phone=%2B46709999999");
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(errorCode(unknown.body) == "member_not_found");
    BOOST_TEST(has(unknown.body, "the CRM is down"), unknown.body);  // says why
    crm.setMembersDown(false);
    // The probe (every second here) finds it back; then lookups ask it again.
    BOOST_TEST(eventually([&] {
        return has(lookup(lojald.port, "phone=%2B46709999999").body,
                   "the CRM knows no such member");
    }));

    // A member QR token is verified locally, then looked up by member id.
    const std::string token = lojal::barcode::signMemberToken(
        {"M1", static_cast<int64_t>(std::time(nullptr)) + 600}, kQrKey);
    const auto byToken = lookup(lojald.port, "token=" + token);
    BOOST_TEST(byToken.status == 200, byToken.body);
    BOOST_TEST(has(byToken.body, "\"member_id\":\"M1\""), byToken.body);

    // The cache keeps no phone number in clear.
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM members WHERE phone_hash LIKE '%4670%'") ==
               "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM members WHERE phone_hash IS NOT NULL") ==
               "1\n");
}

BOOST_AUTO_TEST_CASE(a_silent_crm_is_known_down_and_lookups_stop_waiting_for_it) {
    TestCrm crm;
    crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
    RunningLojald lojald(config(crm));
    BOOST_REQUIRE(lookup(lojald.port, "phone=%2B46701234567").status == 200);  // cached now
    crm.setMemberDelay(60000);  // accepts, never answers in time
    const size_t before = crm.memberLookups();
    for (int i = 0; i < 2; ++i) {  // two timeouts in a row
        BOOST_TEST(has(lookup(lojald.port, "phone=%2B46701234567").body, "\"source\":\"cache\""));
    }
    BOOST_TEST(crm.memberLookups() == before + 2);
    BOOST_TEST(has(httpRequest(lojald.port, "GET", "/metrics", kMonitorToken).body,
                   "lojal_crm_health{state=\"down\"} 1"));
    // Now the cache answers without asking: the CRM sees no more customer lookups
    // (only the probe, at most one a second here).
    for (int i = 0; i < 20; ++i) {
        BOOST_TEST(has(lookup(lojald.port, "phone=%2B46701234567").body, "\"source\":\"cache\""));
    }
    BOOST_TEST(crm.memberLookups() <= before + 2 + 3);
    BOOST_TEST(has(httpRequest(lojald.port, "GET", "/metrics", kMonitorToken).body,
                   "lojal_member_lookups_crm_skipped_total"));
    crm.setMemberDelay(0);
    BOOST_TEST(eventually([&] {
        return has(lookup(lojald.port, "phone=%2B46701234567").body, "\"source\":\"crm\"");
    }));
}

BOOST_AUTO_TEST_CASE(bad_lookups_get_a_clear_error) {
    TestCrm crm;
    RunningLojald lojald(config(crm));
    const auto code = [&](const std::string& query) {
        return errorCode(lookup(lojald.port, query).body);
    };
    BOOST_TEST(lookup(lojald.port, "").status == 400);
    BOOST_TEST(code("") == "invalid_query");
    BOOST_TEST(code("phone=%2B46701234567&card=x") == "invalid_query");
    BOOST_TEST(code("phone=not-a-number") == "invalid_phone");
    BOOST_TEST(code("card=has%20space") == "invalid_field");
    BOOST_TEST(code("card=" + std::string(200, 'a')) == "invalid_field");
    BOOST_TEST(code("token=LJM1.M1.1.garbage") == "invalid_token");
    const std::string expired = lojal::barcode::signMemberToken({"M1", 1000}, kQrKey);
    const auto old = lookup(lojald.port, "token=" + expired);
    BOOST_TEST(errorCode(old.body) == "invalid_token");
    BOOST_TEST(has(old.body, "expired"), old.body);
    BOOST_TEST(lookup(lojald.port, "phone=%2B46701234567", kAdminToken).status == 403);
    BOOST_TEST(lookup(lojald.port, "phone=%2B46701234567", "").status == 401);
    BOOST_TEST(lookup(lojald.port, "phone=%2B46701234567", kKioskToken).status == 404);
}

BOOST_AUTO_TEST_CASE(a_member_deleted_in_the_crm_is_purged_with_their_queued_data) {
    TestCrm crm;
    crm.putMember("M2", "+46701112233", {"card-tok-2"}, "silver", 5);
    crm.failNext(1 << 30, 503);  // receipts stay queued
    RunningLojald lojald(config(crm));
    const int port = lojald.port;
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_REQUIRE(eventually([&] {  // down-synced
        return queryDatabase(db, "SELECT count(*) FROM members WHERE member_id = 'M2'") == "1\n";
    }));
    BOOST_REQUIRE_EQUAL(
        httpRequest(port, "POST", "/v1/receipts", kPosToken, receiptOf("gdpr-1", "+46701112233"))
            .status,
        202);
    BOOST_REQUIRE_EQUAL(
        httpRequest(port, "POST", "/v1/receipts", kPosToken, receiptOf("other-1", "+46705556677"))
            .status,
        202);
    const std::string signup =
        R"({"phone":"0701112233","cashier_id":"c-7","register_id":"reg-1","consent":{"marketing_sms":true,"terms_version":"2026-01","text_shown":"Ja."}})";
    BOOST_REQUIRE_EQUAL(httpRequest(port, "POST", "/v1/signups", kPosToken, signup).status, 202);
    BOOST_REQUIRE_EQUAL(queryDatabase(db, "SELECT count(*) FROM signups"), "1\n");

    crm.eraseMember("M2");
    BOOST_REQUIRE(eventually([&] {
        return queryDatabase(db, "SELECT count(*) FROM members WHERE member_id = 'M2'") == "0\n";
    }));
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM member_cards") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM signups") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM consents") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM sms WHERE phone = '+46701112233'") == "0\n");
    // The queued receipt stays (the store's bookkeeping) but no longer says who.
    BOOST_TEST(queryDatabase(db,
                             "SELECT json_type(body, '$.member') FROM receipts WHERE "
                             "receipt_id = 'gdpr-1'") == "NULL\n");
    BOOST_TEST(queryDatabase(db,
                             "SELECT json_extract(body, '$.member.phone') FROM receipts WHERE "
                             "receipt_id = 'other-1'") == "+46705556677\n");
    // A resend by the POS of the original is still the same receipt.
    BOOST_TEST(
        httpRequest(port, "POST", "/v1/receipts", kPosToken, receiptOf("gdpr-1", "+46701112233"))
            .status == 200);
    crm.setMembersDown(true);
    BOOST_TEST(lookup(port, "card=card-tok-2").status == 404);
}

BOOST_AUTO_TEST_CASE(an_erasure_request_removes_what_the_store_holds_about_a_member) {
    TestCrm crm;
    crm.putMember("M3", "+46702223344", {}, "gold", 1);
    crm.failNext(1 << 30, 503);
    RunningLojald lojald(config(crm));
    const int port = lojald.port;
    BOOST_REQUIRE_EQUAL(lookup(port, "phone=%2B46702223344").status, 200);  // now cached
    BOOST_REQUIRE_EQUAL(
        httpRequest(port, "POST", "/v1/receipts", kPosToken, receiptOf("er-1", "+46702223344"))
            .status,
        202);
    BOOST_TEST(httpRequest(port, "POST", "/v1/members/M3/erase", kPosToken, "{}").status == 403);
    BOOST_TEST(
        errorCode(httpRequest(port, "POST", "/v1/members/M%20X/erase", kAdminToken, "{}").body) ==
        "invalid_field");
    BOOST_TEST(
        errorCode(httpRequest(port, "POST", "/v1/members/M3/erase", kAdminToken, R"({"phone":12})")
                      .body) == "invalid_field");
    const auto erased = httpRequest(port, "POST", "/v1/members/M3/erase", kAdminToken,
                                    R"({"phone":"070-222 33 44"})");
    BOOST_TEST(erased.status == 200, erased.body);
    BOOST_TEST(has(erased.body, "\"cached_members\":1"), erased.body);
    BOOST_TEST(has(erased.body, "\"receipts_stripped\":1"), erased.body);
    crm.setMembersDown(true);
    BOOST_TEST(lookup(port, "phone=%2B46702223344").status == 404);
    BOOST_TEST(has(httpRequest(port, "GET", "/metrics", kAdminToken).body,
                   "lojal_members_erased_total 1"));
}

BOOST_AUTO_TEST_CASE(synced_receipts_are_purged_after_retention_and_unsynced_never) {
    TestCrm crm;
    TempDir dir;
    const int port = freePort();
    const std::string path =
        writeTestConfig(dir, port, config(crm, "[receipts]\nretention_days = 0\n"));
    {
        LojaldProcess first({"--config", path}, dir.path());
        BOOST_REQUIRE(first.waitUntilReady());
        BOOST_REQUIRE_EQUAL(
            httpRequest(port, "POST", "/v1/receipts", kPosToken, exampleReceiptWithId("old-1"))
                .status,
            202);
        BOOST_REQUIRE(crm.waitForStored(1, 10s));
        BOOST_REQUIRE(eventually([&] {
            return has(httpRequest(port, "GET", "/v1/receipts/old-1", kPosToken).body, "synced");
        }));
        crm.failNext(1 << 30, 503);
        BOOST_REQUIRE_EQUAL(
            httpRequest(port, "POST", "/v1/receipts", kPosToken, exampleReceiptWithId("queued-1"))
                .status,
            202);
        first.signal(SIGTERM);
        BOOST_REQUIRE(first.waitForExit().has_value());
    }
    LojaldProcess second({"--config", path}, dir.path());  // the purge runs at start
    BOOST_REQUIRE(second.waitUntilReady());
    BOOST_REQUIRE(second.waitForOutput("retention: 1 synced receipt(s)"));
    BOOST_TEST(httpRequest(port, "GET", "/v1/receipts/old-1", kPosToken).status == 404);
    BOOST_TEST(has(httpRequest(port, "GET", "/v1/receipts/queued-1", kPosToken).body, "queued"));
}
