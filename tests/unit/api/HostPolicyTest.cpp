#define BOOST_TEST_MODULE host_policy
// Which Host and Origin headers lojald answers (DNS rebinding, foreign pages).
#include <boost/test/unit_test.hpp>

#include "api/HostPolicy.h"

using namespace lojal;

namespace {
ServerConfig listening(std::vector<ListenAddress> listen, std::vector<std::string> names = {}) {
    ServerConfig config;
    config.listen = std::move(listen);
    config.hostNames = std::move(names);
    return config;
}
}  // namespace

BOOST_AUTO_TEST_CASE(loopback_answers_its_addresses_and_localhost_only) {
    const HostPolicy policy(listening({{"127.0.0.1", 8470}, {"::1", 8470}}));
    for (const char* host : {"127.0.0.1", "127.0.0.1:8470", "localhost", "LOCALHOST:8470",
                             "[::1]:8470", "[::1]", "localhost:9999"}) {
        BOOST_TEST(policy.allowsHost(host), host);
    }
    for (const char* host : {"evil.example", "evil.example:8470", "127.0.0.2", "", "[::1",
                             "::1:8470", "localhost.evil.example", "192.168.1.5:8470"}) {
        BOOST_TEST(!policy.allowsHost(host), host);
    }
}

BOOST_AUTO_TEST_CASE(a_wildcard_listen_answers_ip_literals_and_configured_names) {
    const HostPolicy policy(listening({{"0.0.0.0", 8470}}, {"kassa-3.store.lan"}));
    for (const char* host :
         {"192.168.1.5:8470", "10.0.0.7", "kassa-3.store.lan:8470", "KASSA-3.store.lan"}) {
        BOOST_TEST(policy.allowsHost(host), host);
    }
    for (const char* host : {"rebind.evil.example", "localhost", "kassa-4.store.lan"}) {
        BOOST_TEST(!policy.allowsHost(host), host);
    }
}

BOOST_AUTO_TEST_CASE(origins_are_http_pages_of_an_allowed_host) {
    const HostPolicy policy(listening({{"127.0.0.1", 8470}}));
    for (const char* origin :
         {"http://127.0.0.1:8470", "http://localhost:8470", "https://localhost"}) {
        BOOST_TEST(policy.allowsOrigin(origin), origin);
    }
    for (const char* origin :
         {"null", "https://evil.example", "http://evil.example:8470", "file://",
          "chrome-extension://abc", "http://127.0.0.1:8470/path", "ws://127.0.0.1:8470", ""}) {
        BOOST_TEST(!policy.allowsOrigin(origin), origin);
    }
}
