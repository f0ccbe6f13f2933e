#define BOOST_TEST_MODULE api_signup
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <regex>

#include "FakeHttpServer.h"
#include "LojaldProcess.h"
#include "core/Crypto.h"
#include "signup/SignupToken.h"

using namespace lojal::test;

namespace {

const std::string kSecret = "test-signup-secret-0123456789abcdef-xyz";
const char* const kSecondRegister = "second-register-token-0123456789ab";

std::string signupConfig(const std::string& extra = "") {
    return "[store]\nid = store-9\nname = Rusta\ncountry = SE\n[signup]\nbase_url = "
           "https://join.example.com\n"
           "secret = " +
           kSecret + "\n" + extra;
}

std::string body(const std::string& phone, const std::string& register_ = "reg-1",
                 const std::string& extra = "") {
    return "{\"phone\":\"" + phone + "\",\"cashier_id\":\"c-7\",\"register_id\":\"" + register_ +
           "\",\"consent\":{\"marketing_sms\":true,\"terms_version\":\"2026-01\",\"text_shown\":"
           "\"Ja, jag vill ha "
           "erbjudanden via SMS.\"}" +
           extra + "}";
}

HttpResult postSignup(int port, const std::string& json) {
    return httpRequest(port, "POST", "/v1/signups", kPosToken, json);
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string smsState(int port, int64_t signupId) {
    const auto result =
        httpRequest(port, "GET", "/v1/signups/" + std::to_string(signupId), kPosToken);
    return result.status == 200 ? parse(result.body)->getValue<std::string>("status") : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_signup_is_queued_and_its_sms_goes_out_once) {
    RunningLojald lojald(signupConfig());
    const auto created = postSignup(lojald.port, body("070-123 45 67"));
    BOOST_REQUIRE_EQUAL(created.status, 202);
    const auto signup = parse(created.body);
    const int64_t id = signup->getValue<int64_t>("signup_id");
    BOOST_TEST(signup->getValue<std::string>("phone") == "+46701234567");
    BOOST_TEST(signup->getValue<std::string>("status") == "queued");
    BOOST_REQUIRE(eventually([&] { return smsState(lojald.port, id) == "sent"; }));

    // The text, in Swedish for a Swedish store, with a link that verifies: whole in
    // the SMS file (mode 0600), the link cut after the host in the main log.
    const std::string texts = smsTexts(lojald.dir);
    std::smatch match;
    BOOST_REQUIRE(
        std::regex_search(texts, match,
                          std::regex("Hej! Välkommen till Rustas kundklubb\\. Bli medlem här: "
                                     "https://join\\.example\\.com/j/([A-Za-z0-9_-]{30})")));
    struct stat info {};
    BOOST_REQUIRE(::stat(lojald.dir.file("sms.log").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    const std::string log = lojald.process->output();
    BOOST_TEST(log.find("+46701234567") == std::string::npos);  // the log masks the number
    BOOST_TEST(log.find(match[1].str()) == std::string::npos);  // and the link's token
    BOOST_TEST(log.find("Bli medlem här: https://join.example.com/\xE2\x80\xA6") !=
               std::string::npos);
    const auto verified =
        httpRequest(lojald.port, "GET", "/v1/signups/verify?token=" + match[1].str(), kKioskToken);
    BOOST_TEST(verified.status == 200);
    BOOST_TEST(parse(verified.body)->getValue<int64_t>("signup_id") == id);

    // The consent is on disk, with what the customer saw.
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_TEST(queryDatabase(db,
                             "SELECT purpose || '|' || granted || '|' || text_version || '|' || "
                             "register_id || '|' || "
                             "sync_state FROM consents") ==
               "marketing_sms|1|2026-01|reg-1|pending\n");

    // The same number again within the window: the same sign-up, no second SMS.
    const auto again = postSignup(lojald.port, body("+46701234567", "reg-2"));
    BOOST_TEST(again.status == 200);
    BOOST_TEST(parse(again.body)->getValue<int64_t>("signup_id") == id);
    BOOST_TEST(parse(again.body)->getValue<bool>("repeat"));
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM sms") == "1\n");
}

BOOST_AUTO_TEST_CASE(bad_input_is_400_with_a_specific_code_and_nothing_is_stored) {
    RunningLojald lojald(signupConfig("[signup]\n"));
    const std::pair<std::string, const char*> cases[] = {
        {body("hello"), "invalid_phone"},
        {body("+999"), "invalid_phone"},
        {body("08-123 456 78"), "not_mobile"},
        {body(std::string(40, '7')), "invalid_phone"},
        {body("+47 412 34 567"), "country_not_allowed"},
        {"{}", "missing_field"},
        {"{\"phone\":\"0701234567\",\"cashier_id\":\"c\",\"register_id\":\"r\"}", "missing_field"},
        {body("0701234567", "reg-1", ",\"locale\":\"de\""), "unsupported_locale"},
        {"{\"phone\":\"0701234567\",\"cashier_id\":\"c\\u0007\",\"register_id\":\"r\",\"consent\":{"
         "\"marketing_sms\":"
         "true,\"terms_version\":\"1\",\"text_shown\":\"t\"}}",
         "invalid_field"},
        {"{\"phone\":\"0701234567\",\"cashier_id\":\"" + std::string(10240, 'c') +
             "\",\"register_id\":\"r\","
             "\"consent\":{\"marketing_sms\":true,\"terms_version\":\"1\",\"text_shown\":\"t\"}}",
         "invalid_field"},
        {"{\"phone\":701234567,\"cashier_id\":\"c\",\"register_id\":\"r\"}", "invalid_field"},
        {body("0701234567", "reg-1", ",\"consent\":\"yes\"").replace(0, 0, ""), "invalid_field"},
    };
    for (const auto& [json, code] : cases) {
        BOOST_TEST_CONTEXT(json.substr(0, 120)) {
            const auto result = postSignup(lojald.port, json);
            BOOST_TEST(result.status == 400);
            BOOST_TEST(errorCode(result.body) == code, result.body);
        }
    }
    const auto empty = httpRequest(lojald.port, "POST", "/v1/signups", kPosToken, "");
    BOOST_TEST(empty.status == 400);
    BOOST_TEST(errorCode(empty.body) == "invalid_json");
    const auto kiosk =
        httpRequest(lojald.port, "POST", "/v1/signups", kKioskToken, body("0701234567"));
    BOOST_TEST(kiosk.status == 403);
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM signups") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM sms") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM outbox") == "0\n");
}

BOOST_AUTO_TEST_CASE(abuse_limits_answer_429_with_retry_after_and_are_counted) {
    RunningLojald lojald(
        signupConfig("repeat_window_minutes = 0\n[limits]\nper_number_per_hour = 1\n"
                     "per_register_per_minute = 3\ndaily_sms_budget = 4\n"
                     "[tokens]\nregister-2 = pos:" +
                     std::string(kSecondRegister) + "\n"));
    BOOST_REQUIRE_EQUAL(postSignup(lojald.port, body("0701234567")).status, 202);
    const auto sameNumber = postSignup(lojald.port, body("0701234567"));
    BOOST_TEST(sameNumber.status == 429);
    BOOST_TEST(errorCode(sameNumber.body) == "rate_limited_number");
    BOOST_TEST(std::stoi(sameNumber.headers.at("Retry-After")) > 3000);  // about an hour

    BOOST_REQUIRE_EQUAL(postSignup(lojald.port, body("0701234568")).status, 202);
    BOOST_REQUIRE_EQUAL(postSignup(lojald.port, body("0701234569")).status, 202);
    const auto busyRegister = postSignup(lojald.port, body("0701234570"));
    BOOST_TEST(busyRegister.status == 429);
    BOOST_TEST(errorCode(busyRegister.body) == "rate_limited_register");
    BOOST_TEST(std::stoi(busyRegister.headers.at("Retry-After")) >= 1);

    // The register limit is the token's: another register's token may go on.
    const auto other = [&](const std::string& json) {
        return httpRequest(lojald.port, "POST", "/v1/signups", kSecondRegister, json);
    };
    BOOST_REQUIRE_EQUAL(other(body("0701234571", "reg-2")).status, 202);
    const auto budget = other(body("0701234572", "reg-2"));
    BOOST_TEST(budget.status == 429);
    BOOST_TEST(errorCode(budget.body) == "daily_sms_budget_exhausted");

    const auto metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken).body;
    for (const char* code :
         {"rate_limited_number", "rate_limited_register", "daily_sms_budget_exhausted"}) {
        BOOST_TEST(metrics.find("lojal_signup_refusals_total{code=\"" + std::string(code) +
                                "\"} 1\n") != std::string::npos,
                   code);
    }
}

BOOST_AUTO_TEST_CASE(links_that_are_tampered_expired_or_foreign_are_refused) {
    RunningLojald lojald(signupConfig());
    const auto check = [&](const std::string& token) {
        return httpRequest(lojald.port, "GET", "/v1/signups/verify?token=" + token, kPosToken);
    };
    const int64_t now = time(nullptr);
    const std::string good = lojal::signSignupToken({7, now + 3600, "store-9"}, kSecret);
    BOOST_TEST(check(good).status == 200);
    std::string tampered = good;
    tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
    BOOST_TEST(errorCode(check(tampered).body) == "invalid_token");
    const auto expired = check(lojal::signSignupToken({7, now - 120, "store-9"}, kSecret));
    BOOST_TEST(expired.status == 410);
    BOOST_TEST(errorCode(expired.body) == "token_expired");
    BOOST_TEST(errorCode(check(lojal::signSignupToken({7, now + 3600, "store-1"}, kSecret)).body) ==
               "invalid_token");
    BOOST_TEST(check("").status == 400);
}

BOOST_AUTO_TEST_CASE(delivery_reports_need_their_signature) {
    RunningLojald lojald(signupConfig());
    const auto created = postSignup(lojald.port, body("0701234567"));
    BOOST_REQUIRE_EQUAL(created.status, 202);
    const int64_t id = parse(created.body)->getValue<int64_t>("signup_id");
    BOOST_REQUIRE(eventually([&] { return smsState(lojald.port, id) == "sent"; }));
    const std::string smsId =
        queryDatabase(lojald.dir.file("lojal.db"), "SELECT sms_id FROM signups").substr(0, 1);
    const auto mac = lojal::hmacSha256(kSecret, "dlr:" + smsId);
    const std::string sig = lojal::base64Url(mac.data(), 12);
    const auto forged =
        httpRequest(lojald.port, "GET", "/v1/sms/dlr?id=" + smsId + "&sig=AAAAAAAAAAAAAAAA&type=1");
    BOOST_TEST(forged.status == 403);
    BOOST_TEST(smsState(lojald.port, id) == "sent");
    const auto report =
        httpRequest(lojald.port, "GET", "/v1/sms/dlr?id=" + smsId + "&sig=" + sig + "&type=1");
    BOOST_TEST(report.status == 200);
    BOOST_TEST(smsState(lojald.port, id) == "delivered");
}

BOOST_AUTO_TEST_CASE(without_signup_configuration_signups_are_503) {
    RunningLojald lojald;
    const auto result = postSignup(lojald.port, body("0701234567"));
    BOOST_TEST(result.status == 503);
    BOOST_TEST(errorCode(result.body) == "signup_not_configured");
}

BOOST_AUTO_TEST_CASE(kill_9_with_sms_queued_then_restart_sends_each_once) {
    TempDir dir;
    const int port = freePort();
    const int deadPort = freePort();  // nothing listens: the gateway is down
    const std::string down =
        signupConfig("[sms]\ngateway = kannel\nurl = http://127.0.0.1:" + std::to_string(deadPort) +
                     "\nusername = u\npassword = p\n");
    std::vector<int64_t> ids;
    {
        LojaldProcess first({"--config", writeTestConfig(dir, port, down)}, dir.path());
        BOOST_REQUIRE(first.waitUntilReady());
        for (const char* phone : {"0701234561", "0701234562", "0701234563"}) {
            const auto created = postSignup(port, body(phone));
            BOOST_REQUIRE_EQUAL(created.status, 202);
            ids.push_back(parse(created.body)->getValue<int64_t>("signup_id"));
        }
        BOOST_REQUIRE(first.waitForOutput("kannel unreachable"));  // at least one attempt failed
        first.signal(SIGKILL);
        BOOST_REQUIRE(first.waitForExit().has_value());
    }
    LojaldProcess second({"--config", writeTestConfig(dir, port, signupConfig())}, dir.path());
    BOOST_REQUIRE(second.waitUntilReady());
    for (int64_t id : ids) BOOST_REQUIRE(eventually([&] { return smsState(port, id) == "sent"; }));
    const std::string log = second.output();
    for (int64_t id : ids) {
        const std::string line = "SMS " + std::to_string(id) + " to ";
        const size_t first = log.find(line);
        BOOST_TEST(first != std::string::npos);
        BOOST_TEST(log.find(line, first + 1) == std::string::npos, "SMS " << id << " sent twice");
    }
    BOOST_TEST(queryDatabase(dir.file("lojal.db"),
                             "SELECT count(*) FROM sms WHERE state = 'sent'") == "3\n");
}

namespace {
// The last PIN sent: from the SMS file, since the main log masks it.
std::string lastCode(const RunningLojald& lojald) {
    const std::string code = lastSmsCode(lojald.dir);
    BOOST_TEST(lojald.process->output().find("Din kod: " + code) == std::string::npos);
    return code;
}
HttpResult otp(int port, const std::string& path, const std::string& json) {
    return httpRequest(port, "POST", path, kKioskToken, json);
}
}  // namespace

BOOST_AUTO_TEST_CASE(kiosk_pin_verifies_a_number_and_keeps_only_a_hash) {
    RunningLojald lojald(signupConfig());
    const auto sent = otp(lojald.port, "/v1/otp", "{\"phone\":\"0701234567\"}");
    BOOST_REQUIRE_EQUAL(sent.status, 202);
    BOOST_TEST(parse(sent.body)->getValue<int>("expires_in") == 300);
    BOOST_REQUIRE(lojald.process->waitForOutput("Din kod: "));
    const std::string code = lastCode(lojald);
    BOOST_REQUIRE_EQUAL(code.size(), 6u);
    const std::string wrong = code == "000000" ? "111111" : "000000";

    const auto miss =
        otp(lojald.port, "/v1/otp/verify", "{\"phone\":\"0701234567\",\"code\":\"" + wrong + "\"}");
    BOOST_TEST(miss.status == 200);
    BOOST_TEST(!parse(miss.body)->getValue<bool>("verified"));
    BOOST_TEST(parse(miss.body)->getValue<int>("attempts_left") == 4);
    const auto hit = otp(lojald.port, "/v1/otp/verify",
                         "{\"phone\":\"+46701234567\",\"code\":\"" + code + "\"}");
    BOOST_TEST(hit.status == 200);
    BOOST_TEST(parse(hit.body)->getValue<bool>("verified"));
    const auto reused =
        otp(lojald.port, "/v1/otp/verify", "{\"phone\":\"0701234567\",\"code\":\"" + code + "\"}");
    BOOST_TEST(reused.status == 410);  // a code works once

    // Once sent, the code is nowhere in the database, not even in the SMS row.
    const std::string db = lojald.dir.file("lojal.db");
    BOOST_REQUIRE(
        eventually([&] { return queryDatabase(db, "SELECT state FROM sms") == "sent\n"; }));
    BOOST_TEST(queryDatabase(
                   db, "SELECT count(*) FROM otp WHERE code_hash LIKE '%" + code + "%'") == "0\n");
    BOOST_TEST(queryDatabase(db, "SELECT count(*) FROM sms WHERE text LIKE '%" + code + "%'") ==
               "0\n");
}

BOOST_AUTO_TEST_CASE(kiosk_pin_dies_after_five_wrong_tries_and_has_a_cooldown) {
    RunningLojald lojald(signupConfig());
    BOOST_REQUIRE_EQUAL(otp(lojald.port, "/v1/otp", "{\"phone\":\"0701234567\"}").status, 202);
    BOOST_REQUIRE(lojald.process->waitForOutput("Din kod: "));
    const std::string code = lastCode(lojald);
    const std::string wrong = code == "000000" ? "111111" : "000000";
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(otp(lojald.port, "/v1/otp/verify",
                       "{\"phone\":\"0701234567\",\"code\":\"" + wrong + "\"}")
                       .status == 200);
    }
    const auto dead =
        otp(lojald.port, "/v1/otp/verify", "{\"phone\":\"0701234567\",\"code\":\"" + code + "\"}");
    BOOST_TEST(dead.status == 410);
    BOOST_TEST(errorCode(dead.body) == "otp_expired");

    const auto again = otp(lojald.port, "/v1/otp", "{\"phone\":\"0701234567\"}");
    BOOST_TEST(again.status == 429);
    BOOST_TEST(errorCode(again.body) == "otp_cooldown");
    BOOST_TEST(std::stoi(again.headers.at("Retry-After")) >= 1);

    const auto badCode =
        otp(lojald.port, "/v1/otp/verify", "{\"phone\":\"0701234567\",\"code\":\"12ab56\"}");
    BOOST_TEST(badCode.status == 400);
    BOOST_TEST(errorCode(badCode.body) == "invalid_field");
    const auto landline = otp(lojald.port, "/v1/otp", "{\"phone\":\"08-123 456 78\"}");
    BOOST_TEST(errorCode(landline.body) == "not_mobile");
    BOOST_TEST(httpRequest(lojald.port, "POST", "/v1/otp", kPosToken, "{\"phone\":\"0701234567\"}")
                   .status == 403);
}

BOOST_AUTO_TEST_CASE(http_provider_gets_the_message_retries_on_503_and_fails_on_400) {
    // 46elks-style: form fields, Basic auth, JSON answer with an id.
    FakeHttpServer provider(
        {{503, "{\"error\":\"maintenance\"}", {{"Retry-After", "1"}}},
         {200, "{\"id\":\"s70df59406a1b4643b96f3f91e0bfb7b0\",\"status\":\"created\"}", {}},
         {400, "{\"error\":\"invalid to\"}", {}}});
    RunningLojald lojald(
        signupConfig("[sms]\ngateway = http\nurl = " + provider.url() +
                     "/a1/sms\nusername = u1\npassword = secret-pw\nsender = Rusta\n"));
    const auto created = postSignup(lojald.port, body("0701234567"));
    BOOST_REQUIRE_EQUAL(created.status, 202);  // the provider's trouble is not the checkout's
    const int64_t id = parse(created.body)->getValue<int64_t>("signup_id");
    BOOST_REQUIRE(eventually([&] { return smsState(lojald.port, id) == "sent"; }));
    const auto requests = provider.waitForRequests(2, 10s);
    BOOST_REQUIRE_EQUAL(requests.size(), 2u);  // one 503, one retry
    const auto& sent = requests.back();
    BOOST_TEST(sent.method == "POST");
    BOOST_TEST(sent.uri == "/a1/sms");
    BOOST_TEST(sent.headers.at("Authorization") == "Basic dTE6c2VjcmV0LXB3");
    BOOST_TEST(sent.body.find("to=%2B46701234567") != std::string::npos, sent.body);
    BOOST_TEST(sent.body.find("from=Rusta") != std::string::npos);
    BOOST_TEST(sent.body.find("message=Hej%21") != std::string::npos, sent.body);
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"), "SELECT gateway_id FROM sms") ==
               "s70df59406a1b4643b96f3f91e0bfb7b0\n");

    const auto second = postSignup(lojald.port, body("0701234568"));
    const int64_t secondId = parse(second.body)->getValue<int64_t>("signup_id");
    BOOST_REQUIRE(eventually([&] { return smsState(lojald.port, secondId) == "failed"; }));
    const auto failed =
        httpRequest(lojald.port, "GET", "/v1/signups/" + std::to_string(secondId), kPosToken);
    BOOST_TEST(failed.body.find("provider answered 400") != std::string::npos, failed.body);
    BOOST_TEST(provider.requestCount() == 3u);  // a 400 is not retried
}
