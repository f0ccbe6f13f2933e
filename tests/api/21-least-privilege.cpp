#define BOOST_TEST_MODULE api_least_privilege
// Abuse limits a client cannot talk its way around: the per-register SMS limit
// keys on the calling token (not on a register_id it makes up) and survives a
// restart; a register reads only its own sign-ups, the number whole for 10
// minutes; an Idempotency-Key makes a retried sign-up the same sign-up.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <csignal>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

const char* const kSecondPosToken = "second-register-token-0123456789ab";

std::string config(const std::string& limits = "") {
    return "[signup]\nbase_url = https://join.example.com\nsecret = "
           "least-privilege-test-secret-0123456789\nrepeat_window_minutes = 0\n"
           "[limits]\nper_number_per_hour = 100\n" +
           limits + "[tokens]\nregister-2 = pos:" + kSecondPosToken + "\n";
}

std::string signupBody(const std::string& phone, const std::string& registerId = "reg-1") {
    return R"({"phone":")" + phone + R"(","cashier_id":"c1","register_id":")" + registerId +
           R"(","consent":{"marketing_sms":true,"terms_version":"1","text_shown":"Ja"}})";
}

HttpResult signup(int port, const std::string& token, const std::string& body,
                  const std::string& idempotencyKey = "") {
    if (idempotencyKey.empty()) return httpRequest(port, "POST", "/v1/signups", token, body);
    // httpRequest sends no extra headers: this one goes raw.
    const std::string request =
        "POST /v1/signups HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
        "Bearer " +
        token + "\r\nContent-Type: application/json\r\nIdempotency-Key: " + idempotencyKey +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
        body;
    const std::string answer = rawExchange(port, request);
    HttpResult result;
    result.status = rawStatus(answer);
    result.body = answer.substr(answer.find("\r\n\r\n") + 4);
    return result;
}

int64_t signupId(const std::string& body) {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getValue<int64_t>("signup_id");
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_register_limit_keys_on_the_token_not_the_body) {
    RunningLojald lojald(config("per_register_per_minute = 2\n"));
    const int port = lojald.port;
    // One token claiming three registers is still one register.
    BOOST_TEST(signup(port, kPosToken, signupBody("0701000001", "reg-1")).status == 202);
    BOOST_TEST(signup(port, kPosToken, signupBody("0701000002", "reg-2")).status == 202);
    const auto third = signup(port, kPosToken, signupBody("0701000003", "reg-3"));
    BOOST_TEST(third.status == 429);
    BOOST_TEST(errorCode(third.body) == "rate_limited_register");
    // Another register's token has its own allowance.
    BOOST_TEST(signup(port, kSecondPosToken, signupBody("0701000004", "reg-1")).status == 202);
}

BOOST_AUTO_TEST_CASE(limits_survive_a_restart) {
    TempDir dir;
    const int port = freePort();
    const std::string path = writeTestConfig(dir, port, config("per_register_per_minute = 1\n"));
    {
        LojaldProcess lojald({"--config", path}, dir.path());
        BOOST_REQUIRE(lojald.waitUntilReady());
        BOOST_TEST(signup(port, kPosToken, signupBody("0701000011")).status == 202);
        lojald.signal(SIGKILL);
        BOOST_REQUIRE(lojald.waitForExit().has_value());
    }
    LojaldProcess again({"--config", path}, dir.path());
    BOOST_REQUIRE(again.waitUntilReady());
    const auto refused = signup(port, kPosToken, signupBody("0701000012"));
    BOOST_TEST(refused.status == 429);
    BOOST_TEST(errorCode(refused.body) == "rate_limited_register");
    BOOST_TEST(again.output().find("SMS limits: 1 SMS of the last hour counted") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_register_reads_its_own_sign_ups_and_admin_sees_the_number_masked) {
    RunningLojald lojald(config());
    const int port = lojald.port;
    const auto created = signup(port, kPosToken, signupBody("070-123 45 67"));
    BOOST_REQUIRE_EQUAL(created.status, 202);
    const std::string path = "/v1/signups/" + std::to_string(signupId(created.body));
    const auto own = httpRequest(port, "GET", path, kPosToken);
    BOOST_TEST(own.status == 200);
    BOOST_TEST(own.body.find("\"phone\":\"+46701234567\"") != std::string::npos, own.body);
    const auto other = httpRequest(port, "GET", path, kSecondPosToken);
    BOOST_TEST(other.status == 404);  // as if it did not exist: ids cannot be walked
    const auto admin = httpRequest(port, "GET", path, kAdminToken);
    BOOST_TEST(admin.status == 200);
    BOOST_TEST(admin.body.find("\"phone\":\"+46*****4567\"") != std::string::npos, admin.body);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_makes_a_retry_the_same_sign_up) {
    RunningLojald lojald(config());
    const int port = lojald.port;
    const auto first = signup(port, kPosToken, signupBody("0702000001"), "till-7:receipt-42");
    BOOST_REQUIRE_EQUAL(first.status, 202);
    // The repeat window is 0 here: without the key this would be a second sign-up.
    const auto retry = signup(port, kPosToken, signupBody("0702000001"), "till-7:receipt-42");
    BOOST_TEST(retry.status == 200);
    BOOST_TEST(signupId(retry.body) == signupId(first.body));
    BOOST_TEST(retry.body.find("\"repeat\":true") != std::string::npos, retry.body);
    const auto conflict = signup(port, kPosToken, signupBody("0702000002"), "till-7:receipt-42");
    BOOST_TEST(conflict.status == 409);
    BOOST_TEST(errorCode(conflict.body) == "idempotency_conflict");
    // The key is the token's: another register may use the same string.
    BOOST_TEST(
        signup(port, kSecondPosToken, signupBody("0702000001"), "till-7:receipt-42").status == 202);
    for (const std::string& bad : {std::string(129, 'k'), std::string("a b"), std::string("ä")}) {
        BOOST_TEST(signup(port, kPosToken, signupBody("0702000003"), bad).status == 400);
    }
    BOOST_TEST(queryDatabase(lojald.dir.file("lojal.db"),
                             "SELECT count(*) FROM signups WHERE phone = '+46702000001'") == "2\n");
}
