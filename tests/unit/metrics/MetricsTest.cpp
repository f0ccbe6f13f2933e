#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include "metrics/Metrics.h"

using namespace lojal;

namespace {
bool contains(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(counts_requests_by_route_method_and_status) {
    HttpMetrics metrics;
    metrics.record("/v1/health", "GET", 200, 0.0001);
    metrics.record("/v1/health", "GET", 200, 0.0002);
    metrics.record("/v1/config", "GET", 403, 0.003);
    const std::string text = metrics.render({});
    BOOST_TEST(contains(
        text, "lojal_http_requests_total{route=\"/v1/health\",method=\"GET\",status=\"200\"} 2"));
    BOOST_TEST(contains(
        text, "lojal_http_requests_total{route=\"/v1/config\",method=\"GET\",status=\"403\"} 1"));
    BOOST_TEST(contains(text, "# TYPE lojal_http_requests_total counter"));
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative) {
    HttpMetrics metrics;
    metrics.record("/r", "GET", 200, 0.0004);  // <= 0.0005
    metrics.record("/r", "GET", 200, 0.003);   // <= 0.005
    metrics.record("/r", "GET", 200, 10.0);    // only +Inf
    const std::string text = metrics.render({});
    BOOST_TEST(
        contains(text, "lojal_http_request_duration_seconds_bucket{route=\"/r\",le=\"0.0005\"} 1"));
    BOOST_TEST(
        contains(text, "lojal_http_request_duration_seconds_bucket{route=\"/r\",le=\"0.0025\"} 1"));
    BOOST_TEST(
        contains(text, "lojal_http_request_duration_seconds_bucket{route=\"/r\",le=\"0.005\"} 2"));
    BOOST_TEST(
        contains(text, "lojal_http_request_duration_seconds_bucket{route=\"/r\",le=\"2.5\"} 2"));
    BOOST_TEST(
        contains(text, "lojal_http_request_duration_seconds_bucket{route=\"/r\",le=\"+Inf\"} 3"));
    BOOST_TEST(contains(text, "lojal_http_request_duration_seconds_count{route=\"/r\"} 3"));
    BOOST_TEST(contains(text, "lojal_http_request_duration_seconds_sum{route=\"/r\"} 10.0034"));
}

BOOST_AUTO_TEST_CASE(gauges_are_rendered_with_help_and_type) {
    HttpMetrics metrics;
    const std::string text = metrics.render({{"lojal_uptime_seconds", "Seconds up.", 12.5}});
    BOOST_TEST(contains(text, "# HELP lojal_uptime_seconds Seconds up."));
    BOOST_TEST(contains(text, "# TYPE lojal_uptime_seconds gauge"));
    BOOST_TEST(contains(text, "lojal_uptime_seconds 12.5"));
}

BOOST_AUTO_TEST_CASE(made_up_methods_are_other_and_every_label_is_escaped) {
    HttpMetrics metrics;
    metrics.record("unmatched", "GE\"T}", 405, 0.001);
    metrics.record("unmatched", "BREW", 405, 0.001);
    metrics.record("/v1/health", "PATCH", 405, 0.001);
    const std::string text =
        metrics.render({Gauge("lojal_x", "a \\ help\nline", 1, promLabel("device", "a\"b\\c\nd"))});
    BOOST_TEST(contains(
        text, "lojal_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"} 2"));
    BOOST_TEST(contains(
        text, "lojal_http_requests_total{route=\"/v1/health\",method=\"PATCH\",status=\"405\"} 1"));
    BOOST_TEST(text.find("GE\"T") == std::string::npos);
    BOOST_TEST(contains(text, "lojal_x{device=\"a\\\"b\\\\c\\nd\"} 1"));
    BOOST_TEST(contains(text, "# HELP lojal_x a \\\\ help\\nline"));
}
