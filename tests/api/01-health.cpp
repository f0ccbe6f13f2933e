#define BOOST_TEST_MODULE api_health
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "LojaldProcess.h"
#include "core/Version.h"

using namespace lojal::test;

BOOST_AUTO_TEST_CASE(health_needs_no_token_and_reports_version_and_database) {
    RunningLojald lojald;
    const auto result = httpRequest(lojald.port, "GET", "/v1/health");
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.headers.at("Content-Type") == "application/json");
    Poco::JSON::Parser parser;
    auto body = parser.parse(result.body).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(body->getValue<std::string>("status") == "ok");
    BOOST_TEST(body->getValue<std::string>("version") == lojal::kLojalVersion);
    // The Windows build has no libphonenumber (docs/WINDOWS.md): it says so.
    BOOST_TEST(body->getValue<std::string>("phone_validation") ==
               (lojal::test::windowsLojald() ? "basic" : "full"));
    auto database = body->getObject("database");
    BOOST_TEST(database->getValue<std::string>("state") == "ok");
    BOOST_TEST(database->getValue<int>("schema_version") >= 1);
}

BOOST_AUTO_TEST_CASE(health_is_counted_in_metrics) {
    RunningLojald lojald;
    for (int i = 0; i < 3; ++i)
        BOOST_REQUIRE(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
    const auto metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken);
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(metrics.headers.at("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0u);
    BOOST_TEST(metrics.body.find("lojal_http_requests_total{route=\"/v1/health\",method=\"GET\","
                                 "status=\"200\"} 3\n") != std::string::npos,
               metrics.body);
    BOOST_TEST(
        metrics.body.find("lojal_http_request_duration_seconds_count{route=\"/v1/health\"} 3\n") !=
        std::string::npos);
    BOOST_TEST(metrics.body.find("\nlojal_uptime_seconds ") != std::string::npos);
    BOOST_TEST(metrics.body.find("\nlojal_database_size_bytes ") != std::string::npos);
    BOOST_TEST(metrics.body.find("\nprocess_resident_memory_bytes ") != std::string::npos);
}
