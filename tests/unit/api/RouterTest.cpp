#define BOOST_TEST_MODULE router
#include <boost/test/unit_test.hpp>

#include "api/Router.h"

using namespace lojal;

namespace {

Router sampleRouter() {
    Router router;
    const auto ok = [](const Request&) { return Response{}; };
    router.add(makeRoute("GET", "/v1/health", {}, ok));
    router.add(makeRoute("GET", "/v1/terminals/{id}", {Role::pos}, ok));
    router.add(makeRoute("PUT", "/v1/terminals/{id}", {Role::admin}, ok, true));
    router.add(makeRoute("POST", "/v1/terminals/{id}/abort", {Role::pos}, ok));
    return router;
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_paths_and_parameters_match) {
    const Router router = sampleRouter();
    auto health = router.match("GET", "/v1/health");
    BOOST_TEST((health.kind == RouteMatch::Kind::found));
    BOOST_TEST(health.route->pathTemplate == "/v1/health");

    auto terminal = router.match("POST", "/v1/terminals/t-7/abort");
    BOOST_REQUIRE((terminal.kind == RouteMatch::Kind::found));
    BOOST_TEST(terminal.params.at("id") == "t-7");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_not_found) {
    const Router router = sampleRouter();
    for (const char* path : {"/", "/v1", "/v1/healthz", "/v1/health/", "//v1/health",
                             "/v1/terminals", "/v1/terminals/a/b", "", "v1/health"}) {
        BOOST_TEST_CONTEXT(path) {
            BOOST_TEST((router.match("GET", path).kind == RouteMatch::Kind::notFound));
        }
    }
}

BOOST_AUTO_TEST_CASE(wrong_method_lists_the_allowed_ones) {
    const Router router = sampleRouter();
    auto health = router.match("POST", "/v1/health");
    BOOST_TEST((health.kind == RouteMatch::Kind::methodNotAllowed));
    BOOST_TEST(health.allow == "GET");
    auto terminal = router.match("DELETE", "/v1/terminals/x");
    BOOST_TEST((terminal.kind == RouteMatch::Kind::methodNotAllowed));
    BOOST_TEST(terminal.allow == "GET, PUT");
}

BOOST_AUTO_TEST_CASE(a_rest_segment_takes_the_rest_and_a_slash_template_only_itself) {
    Router router;
    const auto ok = [](const Request&) { return Response{}; };
    router.add(makeRoute("GET", "/kiosk/", {}, ok));
    router.add(makeRoute("GET", "/kiosk/v/{version}/{file+}", {}, ok));
    const auto asset = router.match("GET", "/kiosk/v/1.2/i18n/sv.json");
    BOOST_REQUIRE((asset.kind == RouteMatch::Kind::found));
    BOOST_TEST(asset.params.at("version") == "1.2");
    BOOST_TEST(asset.params.at("file") == "i18n/sv.json");
    BOOST_TEST((router.match("GET", "/kiosk/v/1.2").kind == RouteMatch::Kind::notFound));
    BOOST_TEST((router.match("GET", "/kiosk/").kind == RouteMatch::Kind::found));
    BOOST_TEST((router.match("POST", "/kiosk/").kind == RouteMatch::Kind::methodNotAllowed));
    BOOST_TEST((router.match("GET", "/kiosk").kind == RouteMatch::Kind::notFound));
    BOOST_TEST((router.match("GET", "/kiosk/v/1.2/app.js/").kind == RouteMatch::Kind::notFound));
    BOOST_TEST((router.match("GET", "/v1/health/").kind == RouteMatch::Kind::notFound));
}
