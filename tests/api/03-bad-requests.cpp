#define BOOST_TEST_MODULE api_bad_requests
#include <boost/test/unit_test.hpp>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

struct Daemon {
    // A small body limit keeps the oversized cases quick; the default is tested below.
    RunningLojald lojald{"[server]\nbody_limit = 4KiB\n"};
    ~Daemon() {
        // Whatever was thrown at it, the daemon still answers.
        BOOST_CHECK_EQUAL(httpRequest(lojald.port, "GET", "/v1/health").status, 200);
    }
    HttpResult putLevel(const std::string& body, const std::string& type = "application/json") {
        return httpRequest(lojald.port, "PUT", "/v1/log-level", kAdminToken, body, type);
    }
};

std::string message(const std::string& body) {
    const auto at = body.find("\"message\":\"");
    return at == std::string::npos ? "" : body.substr(at + 11, body.find('"', at + 11) - at - 11);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bad_requests, Daemon)

BOOST_AUTO_TEST_CASE(unknown_route_is_404_not_found) {
    for (const char* path : {"/", "/v1/nothing", "/v1/health/", "/v2/health"}) {
        const auto result = httpRequest(lojald.port, "GET", path, kAdminToken);
        BOOST_TEST(result.status == 404);
        BOOST_TEST(errorCode(result.body) == "not_found");
    }
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_allow) {
    const auto result = httpRequest(lojald.port, "DELETE", "/v1/health");
    BOOST_TEST(result.status == 405);
    BOOST_TEST(errorCode(result.body) == "method_not_allowed");
    BOOST_TEST(result.headers.at("Allow") == "GET");
    const auto put = httpRequest(lojald.port, "GET", "/v1/log-level", kAdminToken);
    BOOST_TEST(put.status == 405);
    BOOST_TEST(put.headers.at("Allow") == "PUT");
}

BOOST_AUTO_TEST_CASE(malformed_json_is_400_with_the_position) {
    const auto result = putLevel("{\"level\": debug}");
    BOOST_TEST(result.status == 400);
    BOOST_TEST(errorCode(result.body) == "invalid_json");
    BOOST_TEST(message(result.body) == "malformed JSON at line 1, column 11: expected a value");
}

BOOST_AUTO_TEST_CASE(empty_and_non_object_bodies_are_400) {
    const auto empty = putLevel("");
    BOOST_TEST(empty.status == 400);
    BOOST_TEST(errorCode(empty.body) == "invalid_json");
    BOOST_TEST(message(empty.body).find("empty body") != std::string::npos);
    for (const char* notAnObject : {"[\"debug\"]", "5", "true", "\"debug\"", " null "}) {
        const auto result = putLevel(notAnObject);
        BOOST_TEST(result.status == 400, notAnObject);
        BOOST_TEST(message(result.body) == "expected a JSON object");
    }
}

BOOST_AUTO_TEST_CASE(numbers_beyond_64_bits_are_400_not_500) {
    const auto result = putLevel("{\"level\": \"debug\", \"n\": 55555555555555555555555555}");
    BOOST_TEST(result.status == 400);
    BOOST_TEST(errorCode(result.body) == "invalid_json");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_not_crashed_on) {
    const auto result = putLevel(std::string(4000, '['));
    BOOST_TEST(result.status == 400);
    BOOST_TEST(errorCode(result.body) == "invalid_json");
    BOOST_TEST(message(result.body).find("nested deeper than 32 levels") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_and_invalid_fields_are_named) {
    const auto missing = putLevel("{}");
    BOOST_TEST(missing.status == 400);
    BOOST_TEST(errorCode(missing.body) == "missing_field");
    const auto number = putLevel("{\"level\": 5}");
    BOOST_TEST(number.status == 400);
    BOOST_TEST(errorCode(number.body) == "invalid_field");
    const auto unknown = putLevel("{\"level\": \"loud\"}");
    BOOST_TEST(unknown.status == 400);
    BOOST_TEST(errorCode(unknown.body) == "invalid_field");
    const auto control = putLevel("{\"level\": \"debug\\u0000\"}");
    BOOST_TEST(control.status == 400);
    BOOST_TEST(errorCode(control.body) == "invalid_field");
}

BOOST_AUTO_TEST_CASE(wrong_content_type_is_415) {
    const auto result = putLevel("{\"level\":\"debug\"}", "text/plain");
    BOOST_TEST(result.status == 415);
    BOOST_TEST(errorCode(result.body) == "unsupported_media_type");
}

BOOST_AUTO_TEST_CASE(declared_oversized_body_is_413_before_it_is_sent) {
    // Only the headers go out: lojald must answer from Content-Length alone.
    const auto response = rawExchange(
        lojald.port, "PUT /v1/log-level HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         std::string(kAdminToken) +
                         "\r\nContent-Type: application/json\r\nContent-Length: 4097\r\n\r\n");
    BOOST_TEST(rawStatus(response) == 413);
    BOOST_TEST(response.find("\"payload_too_large\"") != std::string::npos);
    BOOST_TEST(response.find("Connection: Close") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(chunked_oversized_body_is_413) {
    std::string request =
        "PUT /v1/log-level HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
        std::string(kAdminToken) +
        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) request += "400\r\n" + std::string(1024, ' ') + "\r\n";
    request += "0\r\n\r\n";
    const auto response = rawExchange(lojald.port, request);
    BOOST_TEST(rawStatus(response) == 413);
    BOOST_TEST(response.find("\"payload_too_large\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(body_at_the_limit_is_accepted) {
    std::string body = "{\"level\":\"information\"}";
    body += std::string(4096 - body.size(), ' ');
    BOOST_TEST(putLevel(body).status == 200);
}

BOOST_AUTO_TEST_CASE(unauthenticated_body_gets_401_and_is_discarded) {
    const auto result =
        httpRequest(lojald.port, "PUT", "/v1/log-level", "", std::string(8192, 'x'));
    BOOST_TEST(result.status == 401);
}

BOOST_AUTO_TEST_CASE(malformed_uri_is_400) {
    const auto response = rawExchange(
        lojald.port, "GET /v1/health%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    BOOST_TEST(rawStatus(response) == 400);
    BOOST_TEST(response.find("\"invalid_uri\"") != std::string::npos, response);
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_http_gets_400_and_a_close) {
    const auto tls = rawExchange(lojald.port, "\x16\x03\x01 hello there\r\n\r\n");
    BOOST_TEST(rawStatus(tls) == 400, tls);
    BOOST_TEST(errorCode(tls.substr(tls.find("\r\n\r\n") + 4)) == "invalid_request");
    const auto noise = rawExchange(lojald.port, std::string(300, '\x7f') + "\r\n\r\n");
    BOOST_TEST((noise.empty() || rawStatus(noise) == 400), noise);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(default_body_limit_is_one_mebibyte) {
    RunningLojald lojald;
    const std::string header = "PUT /v1/log-level HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                               std::string(kAdminToken) +
                               "\r\nContent-Type: application/json\r\nContent-Length: ";
    BOOST_TEST(rawStatus(rawExchange(lojald.port, header + "1048577\r\n\r\n")) == 413);
    std::string body = "{\"level\":\"debug\"}";
    body += std::string(1048576 - body.size(), ' ');
    const auto result = httpRequest(lojald.port, "PUT", "/v1/log-level", kAdminToken, body);
    BOOST_TEST(result.status == 200);
}
