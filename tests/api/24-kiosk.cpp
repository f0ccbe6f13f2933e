#define BOOST_TEST_MODULE api_kiosk
// The kiosk page and its session API on a real lojald: the page gets a session
// cookie (never a token), the API takes the cookie as role kiosk, a verified
// customer is bound to the session for a short idle time, and nothing personal
// is shown before verification.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <ctime>
#include <map>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "TestCrm.h"
#include "barcode/MemberToken.h"
#include "core/Version.h"

using namespace lojal::test;

namespace {

const std::string kQrKey = "kiosk-test-member-qr-key";

// One request with the headers a browser page would send: its session cookie,
// and its own Origin on a change.
HttpResult browser(int port, const std::string& method, const std::string& path,
                   const std::string& cookie = "", const std::string& body = "",
                   bool sameOrigin = true) {
    std::map<std::string, std::string> headers;
    if (!cookie.empty()) headers["Cookie"] = "lojal_kiosk=" + cookie;
    if (sameOrigin && method != "GET")
        headers["Origin"] = "http://127.0.0.1:" + std::to_string(port);
    return httpRequest(port, method, path, "", body, "application/json", headers);
}

std::string sessionFrom(const HttpResult& page) {
    const auto cookie = page.headers.find("Set-Cookie");
    if (cookie == page.headers.end()) return "";
    const std::string& value = cookie->second;
    return value.substr(12, value.find(';') - 12);  // after "lojal_kiosk="
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string config(const TestCrm& crm, const std::string& extra = "") {
    return "[store]\nid = SE-0042\nname = Rusta\ncountry = SE\n[signup]\nbase_url = "
           "https://join.example.com\nsecret = s3cret-s3cret-s3cret-s3cret-s3cret-0042\n"
           "[scanning]\nmember_qr_key = " +
           kQrKey + "\n[crm]\nsync = on\nurl = " + crm.url() +
           "\napi_key = k\nretry_max_seconds = 1\n" + extra;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_page_is_served_with_a_strict_policy_and_a_session_cookie) {
    TestCrm crm;
    RunningLojald lojald(config(crm));
    const auto page = browser(lojald.port, "GET", "/kiosk/");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.headers.at("Content-Type") == "text/html; charset=utf-8");
    BOOST_TEST(page.headers.at("Cache-Control") == "no-cache");
    BOOST_TEST(has(page.headers.at("Content-Security-Policy"), "default-src 'self'"));
    BOOST_TEST(has(page.headers.at("Content-Security-Policy"), "frame-ancestors 'none'"));
    const std::string cookie = page.headers.at("Set-Cookie");
    BOOST_TEST(has(cookie, "HttpOnly"));
    BOOST_TEST(has(cookie, "SameSite=Strict"));
    BOOST_TEST(sessionFrom(page).size() == 64u);
    const std::string assets = std::string("/kiosk/v/") + lojal::kLojalVersion + "/";
    BOOST_TEST(has(page.body, assets + "app.js"));
    BOOST_TEST(!has(page.body, "%VERSION%"));

    const auto script = browser(lojald.port, "GET", assets + "app.js");
    BOOST_TEST(script.status == 200);
    BOOST_TEST(script.headers.at("Content-Type") == "text/javascript; charset=utf-8");
    BOOST_TEST(script.headers.at("Cache-Control") == "public, max-age=31536000, immutable");
    const auto catalogue = browser(lojald.port, "GET", assets + "i18n/sv.json");
    BOOST_TEST(catalogue.headers.at("Content-Type") == "application/json");
    BOOST_TEST(browser(lojald.port, "GET", "/kiosk/v/0.0.1/app.js").headers.at("Cache-Control") ==
               "no-cache");  // an old page's version: served, not kept
    for (const std::string bad :
         {"/kiosk/v/1/.hidden.js", "/kiosk/v/1/app.sh", "/kiosk/v/1/%2e%2e/%2e%2e/CMakeLists.txt",
          "/kiosk/v/1/nope.js", "/kiosk/v/1/a/b/c/d/e.js", "/kiosk/index.html"}) {
        BOOST_TEST(browser(lojald.port, "GET", bad).status == 404, bad);
    }
}

BOOST_AUTO_TEST_CASE(the_cookie_is_role_kiosk_and_needs_an_origin_to_change_anything) {
    TestCrm crm;
    RunningLojald lojald(config(crm));
    const std::string session = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    const auto settings = browser(lojald.port, "GET", "/v1/kiosk/settings", session);
    BOOST_TEST(settings.status == 200);
    BOOST_TEST(has(settings.body, "\"idle_reset_seconds\":45"));
    BOOST_TEST(has(settings.body, "\"store\":\"Rusta\""));
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/settings").status == 401);
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/settings", std::string(64, 'a')).status ==
               401);
    // The cookie is role kiosk, no more: a POS or admin endpoint is refused.
    BOOST_TEST(browser(lojald.port, "GET", "/v1/queue", session).status == 403);
    // Changes need the page's own Origin (CSRF), on top of SameSite=Strict.
    BOOST_TEST(browser(lojald.port, "POST", "/v1/kiosk/reset", session, "", false).status == 403);
    BOOST_TEST(browser(lojald.port, "POST", "/v1/kiosk/reset", session).status == 200);
    // A kiosk token without a session has no customer to show.
    const auto tokenOnly = httpRequest(lojald.port, "GET", "/v1/kiosk/me", kKioskToken);
    BOOST_TEST(tokenOnly.status == 403);
    BOOST_TEST(has(tokenOnly.body, "kiosk_session_required"));
}

BOOST_AUTO_TEST_CASE(a_pin_binds_the_member_and_nothing_shows_before_it) {
    TestCrm crm;
    crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
    RunningLojald lojald(config(crm));
    const std::string session = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/me", session).status == 404);
    // Asking for a PIN says nothing about membership: the same answer for a
    // stranger's number and a member's.
    const auto stranger =
        browser(lojald.port, "POST", "/v1/otp", session, "{\"phone\":\"0709999999\"}");
    BOOST_REQUIRE(eventually([&] { return has(smsTexts(lojald.dir), "Din kod: "); }));
    const auto member =
        browser(lojald.port, "POST", "/v1/otp", session, "{\"phone\":\"0701234567\"}");
    BOOST_TEST(member.status == 202);
    BOOST_TEST(stranger.status == 202);
    BOOST_TEST(!has(member.body, "points"));
    BOOST_TEST(!has(member.body, "M1"));
    BOOST_REQUIRE(eventually([&] {
        const std::string texts = smsTexts(lojald.dir);
        return texts.find("Din kod: ") != texts.rfind("Din kod: ");  // both sent
    }));
    const std::string code = lastSmsCode(lojald.dir);  // the member's: sent last
    const std::string wrongCode = code == "000000" ? "111111" : "000000";
    const auto wrong =
        browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                R"({"method":"otp","phone":"0701234567","code":")" + wrongCode + "\"}");
    BOOST_TEST(wrong.status == 200);
    BOOST_TEST(has(wrong.body, "\"verified\":false"));
    BOOST_TEST(has(wrong.body, "\"attempts_left\":4"));
    BOOST_TEST(!has(wrong.body, "points"));
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/me", session).status == 404);

    // A receipt of this customer's from a till of the store.
    BOOST_REQUIRE_EQUAL(
        httpRequest(lojald.port, "POST", "/v1/receipts", kPosToken, kExampleReceipt).status, 202);
    const auto right = browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                               R"({"method":"otp","phone":"0701234567","code":")" + code + "\"}");
    BOOST_TEST(right.status == 200, right.body);
    BOOST_TEST(has(right.body, "\"points\":120"), right.body);
    BOOST_TEST(
        has(right.body,
            R"("receipts":[{"currency":"SEK","lines":2,"time":"2026-11-23T14:05:09+01:00","total":"116.80"}])"),
        right.body);
    BOOST_TEST(has(right.body, "\"verified_by\":\"otp\""));
    BOOST_TEST(has(browser(lojald.port, "GET", "/v1/kiosk/me", session).body, "\"points\":120"));
    // The stranger verified nothing: their number never shows anything.
}

BOOST_AUTO_TEST_CASE(a_member_qr_binds_the_member_until_reset_or_idle) {
    TestCrm crm;
    crm.putMember("M7", "+46701234567", {"card-tok-7"}, "silver", 42);
    RunningLojald lojald(config(crm, "[kiosk]\nmember_idle_seconds = 10\n"));
    const std::string session = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    const std::string token =
        lojal::barcode::signMemberToken({"M7", static_cast<int64_t>(time(nullptr)) + 300}, kQrKey);
    const auto identified = browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                                    R"({"method":"qr","token":")" + token + "\"}");
    BOOST_TEST(identified.status == 200, identified.body);
    BOOST_TEST(has(identified.body, "\"points\":42"), identified.body);
    BOOST_TEST(has(identified.body, "\"tier\":\"silver\""));
    BOOST_TEST(!has(identified.body, "M7"));  // no member id, no phone on a shop screen
    BOOST_TEST(!has(identified.body, "4670"));
    const auto me = browser(lojald.port, "GET", "/v1/kiosk/me", session);
    BOOST_TEST(me.status == 200);
    BOOST_TEST(has(me.body, "\"points\":42"));
    // Another kiosk's session sees nothing of it.
    const std::string other = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/me", other).status == 404);
    // Reset: the old cookie no longer returns the member.
    BOOST_TEST(browser(lojald.port, "POST", "/v1/kiosk/reset", session).status == 200);
    BOOST_TEST(browser(lojald.port, "GET", "/v1/kiosk/me", session).status == 404);

    const std::string forged = lojal::barcode::signMemberToken(
        {"M7", static_cast<int64_t>(time(nullptr)) + 300}, "another-store-key-123");
    const auto refused = browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                                 R"({"method":"qr","token":")" + forged + "\"}");
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(has(refused.body, "invalid_member_token"));
    // Cards do not count as verified unless the store says so.
    const auto card = browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                              R"({"method":"card","card":"card-tok-7"})");
    BOOST_TEST(card.status == 400);
    BOOST_TEST(has(card.body, "method_not_accepted"));
}

BOOST_AUTO_TEST_CASE(a_join_is_a_sign_up_with_the_kiosk_as_its_register) {
    TestCrm crm;
    RunningLojald lojald(config(crm));
    const std::string session = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    const std::string body =
        R"({"phone":"0701234567","locale":"sv","consent":{"marketing_sms":false,)"
        R"("terms_version":"kiosk-1","text_shown":"Jag vill gå med."}})";
    const auto joined = browser(lojald.port, "POST", "/v1/kiosk/join", session, body);
    BOOST_TEST(joined.status == 202, joined.body);
    BOOST_TEST(joined.body == R"({"status":"queued"})");  // nothing about the number or membership
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"),
                             "SELECT register_id || '|' || cashier_id || '|' || text_shown FROM "
                             "consents") == "kiosk@127.0.0.1|kiosk|Jag vill gå med.\n");
    BOOST_TEST(httpRequest(lojald.port, "POST", "/v1/kiosk/join", kKioskToken, body).status == 403);
    const auto noConsent =
        browser(lojald.port, "POST", "/v1/kiosk/join", session, R"({"phone":"0701234567"})");
    BOOST_TEST(noConsent.status == 400);
    BOOST_TEST(has(noConsent.body, "missing_field"));
}

BOOST_AUTO_TEST_CASE(a_member_card_counts_only_when_just_scanned_at_the_kiosks_scanner) {
    TestCrm crm;
    crm.putMember("M3", "+46701234567", {"2990000012340"}, "bronze", 7);
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    RunningLojald lojald(
        config(crm,
               "[kiosk]\nverified_by = otp, qr, card\nscanner = kiosk-scanner\n"
               "[device.kiosk-scanner]\ndriver = serial-scanner\nport = " +
                   sim.link() +
                   "\nsuffix = cr\n"
                   "[scanning]\nmember_card_ranges = 2990000000000-2990999999999\n"));
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"device\":\"kiosk-scanner\"", "\"state\":\"ready\""}).empty());
    const std::string session = sessionFrom(browser(lojald.port, "GET", "/kiosk/"));
    const std::string card = R"({"method":"card"})";
    // Nothing scanned yet; a number in the request identifies nobody.
    const auto none = browser(lojald.port, "POST", "/v1/kiosk/identify", session, card);
    BOOST_TEST(none.status == 404);
    BOOST_TEST(has(none.body, "no_card_scanned"));
    const auto typed = browser(lojald.port, "POST", "/v1/kiosk/identify", session,
                               R"({"method":"card","card":"2990000012340"})");
    BOOST_TEST(typed.status == 404);

    BOOST_REQUIRE(sim.command("scan 2990000012340").rfind("ok", 0) == 0);
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"scan\"", "member_card"}).empty());
    const auto identified = browser(lojald.port, "POST", "/v1/kiosk/identify", session, card);
    BOOST_TEST(identified.status == 200, identified.body);
    BOOST_TEST(has(identified.body, "\"points\":7"), identified.body);
    BOOST_TEST(has(identified.body, "\"verified_by\":\"card\""));
    // That scan is used: the next customer at this kiosk is not identified by it.
    BOOST_TEST(browser(lojald.port, "POST", "/v1/kiosk/reset", session).status == 200);
    const auto again = browser(lojald.port, "POST", "/v1/kiosk/identify", session, card);
    BOOST_TEST(again.status == 404);
    BOOST_TEST(has(again.body, "no_card_scanned"));
}

BOOST_AUTO_TEST_CASE(only_kiosk_addresses_get_a_session) {
    TestCrm crm;
    RunningLojald lojald(config(crm, "[kiosk]\naddresses = 192.0.2.10\n"));
    const auto page = browser(lojald.port, "GET", "/kiosk/");
    BOOST_TEST(page.status == 200);  // staff may look at it; it will say it is no kiosk
    BOOST_TEST(page.headers.count("Set-Cookie") == 0u);
}
