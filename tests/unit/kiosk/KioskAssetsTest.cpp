#define BOOST_TEST_MODULE kiosk_assets
// Which kiosk files are served and as what (pure).
#include <boost/test/unit_test.hpp>

#include "kiosk/KioskAssets.h"

using namespace lojal;

BOOST_AUTO_TEST_CASE(only_plain_relative_paths_are_safe) {
    for (const char* path : {"app.js", "i18n/sv.json", "a/b/c/d.css", "x-y_z.1.js"})
        BOOST_TEST(isSafeAssetPath(path), path);
    for (const char* path :
         {"", "../etc/passwd", "i18n/../../x.js", ".git/config", "a/.hidden.js", "/abs.js",
          "a//b.js", "a/b/c/d/e.js", "sp ace.js", "a\\b.js", "%2e%2e/x.js", "x.js/"})
        BOOST_TEST(!isSafeAssetPath(path), path);
    BOOST_TEST(!isSafeAssetPath(std::string(201, 'a')));
}

BOOST_AUTO_TEST_CASE(content_types_are_fixed_and_others_refused) {
    BOOST_TEST(*kioskContentType("app.js") == "text/javascript; charset=utf-8");
    BOOST_TEST(*kioskContentType("i18n/fi.json") == "application/json");
    BOOST_TEST(*kioskContentType("style.css") == "text/css; charset=utf-8");
    BOOST_TEST(*kioskContentType("index.html") == "text/html; charset=utf-8");
    for (const char* name : {"run.sh", "lojald.ini", "app.js.map", "js", ".js", "README.md"})
        BOOST_TEST(!kioskContentType(name), name);
}

BOOST_AUTO_TEST_CASE(the_policy_allows_nothing_from_elsewhere) {
    const std::string policy = kKioskContentSecurityPolicy;
    BOOST_TEST(policy.find("default-src 'self'") != std::string::npos);
    BOOST_TEST(policy.find("unsafe-inline") == std::string::npos);
    BOOST_TEST(policy.find("unsafe-eval") == std::string::npos);
    BOOST_TEST(policy.find("http") == std::string::npos);  // no other origin named
    BOOST_TEST(policy.find("*") == std::string::npos);
}
