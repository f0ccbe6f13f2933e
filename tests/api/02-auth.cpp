#define BOOST_TEST_MODULE api_auth
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "LojaldProcess.h"
#include "config/Config.h"

using namespace lojal::test;

namespace {
struct Daemon {
    RunningLojald lojald;
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth, Daemon)

BOOST_AUTO_TEST_CASE(whoami_names_token_and_role_for_every_role) {
    const std::pair<const char*, const char*> tokens[] = {
        {kPosToken, "register-1"}, {kKioskToken, "kiosk-1"}, {kAdminToken, "it-admin"}};
    const char* roles[] = {"pos", "kiosk", "admin"};
    for (int i = 0; i < 3; ++i) {
        const auto result = httpRequest(lojald.port, "GET", "/v1/whoami", tokens[i].first);
        BOOST_TEST(result.status == 200);
        Poco::JSON::Parser parser;
        auto body = parser.parse(result.body).extract<Poco::JSON::Object::Ptr>();
        BOOST_TEST(body->getValue<std::string>("token") == tokens[i].second);
        BOOST_TEST(body->getValue<std::string>("role") == roles[i]);
    }
}

BOOST_AUTO_TEST_CASE(missing_token_is_401_unauthorized) {
    const auto result = httpRequest(lojald.port, "GET", "/v1/whoami");
    BOOST_TEST(result.status == 401);
    BOOST_TEST(errorCode(result.body) == "unauthorized");
    BOOST_TEST(result.headers.at("WWW-Authenticate") == "Bearer realm=\"lojal\"");
}

BOOST_AUTO_TEST_CASE(wrong_token_and_wrong_scheme_are_401) {
    const auto wrong =
        httpRequest(lojald.port, "GET", "/v1/whoami", "not-a-known-token-at-all-000");
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(errorCode(wrong.body) == "unauthorized");
    const auto basic =
        rawExchange(lojald.port, "GET /v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " +
                                     std::string(kAdminToken) + "\r\nConnection: close\r\n\r\n");
    BOOST_TEST(rawStatus(basic) == 401);
}

BOOST_AUTO_TEST_CASE(wrong_role_is_403_forbidden) {
    for (const char* token : {kPosToken, kKioskToken}) {
        for (const char* path : {"/v1/config", "/metrics"}) {
            const auto result = httpRequest(lojald.port, "GET", path, token);
            BOOST_TEST(result.status == 403);
            BOOST_TEST(errorCode(result.body) == "forbidden");
        }
    }
}

BOOST_AUTO_TEST_CASE(config_is_for_admins_and_shows_no_secret) {
    const auto result = httpRequest(lojald.port, "GET", "/v1/config", kAdminToken);
    BOOST_TEST(result.status == 200);
    for (const char* secret : {kPosToken, kKioskToken, kAdminToken}) {
        BOOST_TEST(result.body.find(secret) == std::string::npos);
        BOOST_TEST(result.body.find(lojal::sha256Hex(secret)) == std::string::npos);
    }
    Poco::JSON::Parser parser;
    auto body = parser.parse(result.body).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(body->getObject("tokens")->getValue<std::string>("register-1") == "pos:<redacted>");
    BOOST_TEST(body->getObject("database")->getValue<std::string>("path") ==
               lojald.dir.file("lojal.db"));
    BOOST_TEST(body->getValue<std::string>("source") == lojald.config);
}

BOOST_AUTO_TEST_CASE(secrets_never_reach_the_log) {
    httpRequest(lojald.port, "GET", "/v1/whoami", kAdminToken);
    httpRequest(lojald.port, "GET", "/v1/whoami", "wrong-token-0123456789abcdef");
    BOOST_REQUIRE(lojald.process->waitForOutput("/v1/whoami -> 401"));
    const std::string log = lojald.process->output();
    BOOST_TEST(log.find(kAdminToken) == std::string::npos);
    BOOST_TEST(log.find("wrong-token-0123456789abcdef") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
