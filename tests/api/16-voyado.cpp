#define BOOST_TEST_MODULE api_voyado
// The voyado connector against a fake Voyado Engage on loopback: receipts one
// per request with the headers Voyado requires, retries after a 503, lookups by
// phone, deleted contacts purged, and the request rate kept under the limit.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>

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

namespace {

// A store with sign-ups on, the tenant's consent id, and more [crm.voyado] keys.
std::string signupConfig(const FakeVoyado& voyado, const std::string& voyadoExtra = "") {
    const std::string crm = voyadoConfig(voyado);
    return "[store]\nid = SE-0042\ncountry = SE\n[signup]\nbase_url = https://join.example.com\n"
           "secret = s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[crm.voyado]\nconsent_marketing_sms = consent-sms\n" +
           voyadoExtra + crm.substr(crm.find("[crm]"));
}

int signUp(int port, const std::string& phone) {
    return httpRequest(
               port, "POST", "/v1/signups", kPosToken,
               R"({"phone":")" + phone +
                   R"(","cashier_id":"c-7","register_id":"reg-1","consent":{"marketing_sms":true,"terms_version":"2026-01","text_shown":"Ja."}})")
        .status;
}

// The sign-up outbox row's state and reason, once it has one of these states.
std::string signupOutcome(const RunningLojald& lojald, const std::string& state) {
    const std::string db = lojald.dir.file("lojal.db");
    const std::string query =
        "SELECT state || ' ' || coalesce(last_error, '') FROM outbox WHERE topic = 'signup' "
        "AND state = '" +
        state + "'";
    std::string row;
    eventually([&] { return !(row = queryDatabase(db, query)).empty(); });
    return row;
}

}  // namespace

// The mixed receipt (sale with a discount, a return, a deposit paid back, a
// coupon, weighed goods) passes the fake's documented rules and adds up.
BOOST_AUTO_TEST_CASE(a_mixed_receipt_reaches_voyado_as_documented_items) {
    FakeVoyado voyado("voyado-key");
    RunningLojald lojald(voyadoConfig(voyado));
    const auto posted = httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kMixedReceipt);
    BOOST_REQUIRE_MESSAGE(posted.status == 202, posted.body);
    BOOST_REQUIRE_MESSAGE(voyado.waitForReceipts(1, 15s), voyado.lastRefusal());
    Poco::JSON::Parser parser;
    const auto body =
        parser.parse(voyado.receiptBody("mixed-1")).extract<Poco::JSON::Object::Ptr>();
    const auto items = body->getArray("items");
    BOOST_REQUIRE_EQUAL(items->size(), 5u);
    std::vector<std::string> types;
    double sum = 0;
    for (size_t i = 0; i < items->size(); ++i) {
        const auto item = items->getObject(static_cast<unsigned>(i));
        types.push_back(item->getValue<std::string>("type"));
        sum += (types.back() == "RETURN" ? -1 : 1) * item->getValue<double>("grossPaidPrice");
    }
    const std::vector<std::string> expected = {"PURCHASE", "RETURN", "ADJUSTMENT", "ADJUSTMENT",
                                               "PURCHASE"};
    BOOST_TEST(types == expected, boost::test_tools::per_element());
    BOOST_TEST(std::llround(sum * 100) == -30387);
    BOOST_TEST(std::llround(body->getValue<double>("totalGrossPrice") * 100) == -30387);
    BOOST_TEST(items->getObject(4)->getValue<double>("packQuantity") == 0.455);
}

// "Create contact": contactType and countryCode in the body; source and the
// recruiting store as headers in v2 and in the query string in v3. The update
// of a returning customer uses each version's method (the fake refuses the
// other with 405).
BOOST_AUTO_TEST_CASE(contacts_are_created_as_each_api_version_asks) {
    for (const std::string version : {"2", "3"}) {
        FakeVoyado voyado("voyado-key");
        voyado.putContact("c-back", "+46709876543", 0);
        RunningLojald lojald(signupConfig(voyado, "api_version = " + version + "\n"));
        BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0701234567"), 202);
        BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0709876543"), 202);
        BOOST_REQUIRE(voyado.waitForContactRequests(2, 15s));
        Poco::JSON::Parser parser;
        const auto created = parser.parse(voyado.createdContactJson("+46701234567"))
                                 .extract<Poco::JSON::Object::Ptr>();
        BOOST_TEST(created->getValue<std::string>("contactType") == "Member", version);
        BOOST_TEST(created->getValue<std::string>("countryCode") == "SE", version);
        BOOST_TEST(voyado.lastCreateSource() == "source=Lojal;storeExternalId=SE-0042", version);
        BOOST_TEST(voyado.contactUpdateJson("c-back").find("consent-sms") != std::string::npos,
                   version);
        BOOST_TEST(signupOutcome(lojald, "done").rfind("done", 0) == 0u, version);
    }
}

// A tenant whose Member type needs a field Lojal does not have: the sign-up is
// a dead letter whose reason names the field, for store IT to see.
BOOST_AUTO_TEST_CASE(a_field_the_tenant_requires_is_named_in_the_dead_letter) {
    FakeVoyado voyado("voyado-key");
    voyado.setContactType("Member", {"mobilePhone", "countryCode", "firstName"});
    RunningLojald lojald(signupConfig(voyado));
    BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0701234567"), 202);
    const std::string dead = signupOutcome(lojald, "dead");
    BOOST_TEST(dead.find("field 'firstName'") != std::string::npos, dead);
    BOOST_TEST(dead.find("400") != std::string::npos, dead);

    // A contact type the tenant does not have is named too.
    FakeVoyado other("voyado-key");
    RunningLojald custom(signupConfig(other, "contact_type = Kund\n"));
    BOOST_REQUIRE_EQUAL(signUp(custom.port, "0701234567"), 202);
    const std::string refused = signupOutcome(custom, "dead");
    BOOST_TEST(refused.find("InvalidContactType") != std::string::npos, refused);
}

// "Create contact" may answer an existing contact's id instead of 409: its
// consents are updated all the same.
BOOST_AUTO_TEST_CASE(a_create_answered_with_an_existing_id_still_updates_the_consents) {
    FakeVoyado voyado("voyado-key");
    voyado.answerExistingContactsWith(200);
    voyado.putContact("c-old", "+46705550001", 0);
    voyado.hideFromNextLookup("+46705550001");
    RunningLojald lojald(signupConfig(voyado));
    BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0705550001"), 202);
    BOOST_REQUIRE(voyado.waitForContactRequests(2, 15s));
    BOOST_TEST(voyado.contactUpdateJson("c-old").find("\"acceptsSms\":true") != std::string::npos);
}

// "Find contact" answers 409 MultipleMatches: which contact gets the consent is
// for a person to decide, so the sign-up is a dead letter saying why.
BOOST_AUTO_TEST_CASE(several_contacts_with_one_number_are_not_guessed_between) {
    FakeVoyado voyado("voyado-key");
    voyado.putContact("c-a", "+46705550002", 0);
    voyado.putContact("c-b", "+46705550002", 0);
    RunningLojald lojald(signupConfig(voyado));
    BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0705550002"), 202);
    const std::string dead = signupOutcome(lojald, "dead");
    BOOST_TEST(dead.find("MultipleMatches") != std::string::npos, dead);
    BOOST_TEST(voyado.contactUpdateJson("c-a").empty());
    BOOST_TEST(voyado.contactUpdateJson("c-b").empty());
}

BOOST_AUTO_TEST_CASE(a_tenant_without_the_change_feed_is_told_what_that_means) {
    FakeVoyado voyado("voyado-key");
    voyado.disableChangeFeed();
    RunningLojald lojald(voyadoConfig(voyado));
    BOOST_TEST(lojald.process->waitForOutput("change feed is not enabled"));
}

// "API rate limit": 429 above the limit. lojald then waits 10 s before the next
// receipt instead of retrying within a second.
BOOST_AUTO_TEST_CASE(a_429_holds_the_receipts_for_ten_seconds) {
    FakeVoyado voyado("voyado-key");
    voyado.setRateLimit(3);
    std::string config = voyadoConfig(voyado);
    config.replace(config.find("sync_interval_seconds = 1"), 25, "sync_interval_seconds = 3600");
    RunningLojald lojald(config);
    for (int i = 0; i < 8; ++i)
        BOOST_REQUIRE_EQUAL(post(lojald.port, exampleReceiptWithId("busy-" + std::to_string(i))),
                            202);
    BOOST_REQUIRE(voyado.waitForReceipts(8, 90s));
    const auto refused = voyado.tooManyRequestsAt("/api/v2/receipts");
    BOOST_REQUIRE(!refused.empty());
    const auto times = voyado.receiptRequestTimes();
    const auto next =
        std::find_if(times.begin(), times.end(), [&](auto t) { return t > refused.front(); });
    BOOST_REQUIRE(next != times.end());
    BOOST_TEST(std::chrono::duration<double>(*next - refused.front()).count() >= 9.9);
}

// A member's own offers are their promotions (POS channel) and vouchers, shown
// with the lookup; redeemed and expired ones are not. They are cached with the
// member, shown from the cache while Voyado is down, and go with the member.
BOOST_AUTO_TEST_CASE(a_members_promotions_and_vouchers_come_with_the_lookup) {
    FakeVoyado voyado("voyado-key");
    voyado.putContact("c-offers", "+46701112233", 120);
    voyado.putPromotion(
        "c-offers", R"({"id":"p1","type":"Multichannel","name":"Coffee","heading":"Free coffee",)"
                    R"("expiresOn":"2099-12-31T23:59:59+01:00","redeemed":false})");
    voyado.putPromotion("c-offers", R"({"id":"p2","name":"Used","redeemed":true})");
    voyado.putPromotion("c-offers",
                        R"({"id":"p3","name":"Old","expiresOn":"2020-01-01T00:00:00+01:00"})");
    voyado.putVoucher("c-offers",
                      R"({"id":"v1","checkNumber":"123","name":"50 kr voucher","expiresOn":null})");
    RunningLojald lojald(voyadoConfig(voyado));
    const auto lookup = [&] {
        return httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=0701112233", kPosToken);
    };
    const auto found = lookup();
    BOOST_REQUIRE_MESSAGE(found.status == 200, found.body);
    BOOST_TEST(found.body.find("\"title\":\"Free coffee\"") != std::string::npos, found.body);
    BOOST_TEST(found.body.find("\"valid_to\":\"2099-12-31T22:59:59.000Z\"") != std::string::npos,
               found.body);
    BOOST_TEST(found.body.find("\"title\":\"50 kr voucher\"") != std::string::npos, found.body);
    BOOST_TEST(found.body.find("Used") == std::string::npos, found.body);
    BOOST_TEST(found.body.find("Old") == std::string::npos, found.body);

    voyado.setOffline(true);
    const auto cached = lookup();
    BOOST_REQUIRE_MESSAGE(cached.status == 200, cached.body);
    BOOST_TEST(cached.body.find("\"source\":\"cache\"") != std::string::npos, cached.body);
    BOOST_TEST(cached.body.find("Free coffee") != std::string::npos, cached.body);

    const std::string db = lojald.dir.file("lojal.db");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM member_offers") == "2\n");
    const auto erased =
        httpRequest(lojald.port, "POST", "/v1/members/c-offers/erase", kAdminToken, "{}");
    BOOST_TEST(erased.status / 100 == 2, erased.body);
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM member_offers") == "0\n");
}

// api_version picks the contact paths: a lookup, a sign-up of a returning
// customer and an erasure each use only their version's contact endpoints.
BOOST_AUTO_TEST_CASE(each_api_version_uses_its_own_contact_paths) {
    for (const std::string version : {"2", "3"}) {
        FakeVoyado voyado("voyado-key");
        voyado.putContact("c-v", "+46706060606", 5);
        voyado.putContact("c-gone", "+46707070707", 5);
        RunningLojald lojald(signupConfig(voyado, "api_version = " + version + "\n"));
        const auto found =
            httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=0706060606", kPosToken);
        BOOST_TEST(found.body.find("\"points\":5") != std::string::npos, version << found.body);
        BOOST_REQUIRE_EQUAL(signUp(lojald.port, "0706060606"), 202);
        BOOST_REQUIRE_EQUAL(httpRequest(lojald.port, "POST", "/v1/members/erase", kAdminToken,
                                        R"({"phone":"0707070707"})")
                                .status,
                            200);
        BOOST_REQUIRE(voyado.waitForDeletes(1, 10s));
        BOOST_REQUIRE(voyado.waitForContactRequests(1, 10s));
        const std::string mine = "/api/v" + version + "/";
        const std::string other = version == "2" ? "/api/v3/" : "/api/v2/";
        size_t contactCalls = 0;
        for (const std::string& request : voyado.requests()) {
            const bool contacts = request.find("/contacts") != std::string::npos &&
                                  request.find("/promotions") == std::string::npos &&
                                  request.find("/bonuschecks") == std::string::npos &&
                                  request.find("/changes") == std::string::npos;
            if (!contacts) continue;
            ++contactCalls;
            BOOST_TEST(request.find(mine) != std::string::npos, version << ": " << request);
            BOOST_TEST(request.find(other) == std::string::npos, version << ": " << request);
        }
        BOOST_TEST(contactCalls >= 5u, version);  // lookup 2, sign-up 2, erasure 2
        const std::string update =
            version == "2" ? "POST /api/v2/contacts/c-v" : "PATCH /api/v3/contacts/c-v";
        const auto requests = voyado.requests();
        BOOST_TEST(std::count(requests.begin(), requests.end(), update) == 1, version);
    }
}
