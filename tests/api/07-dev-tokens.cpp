#define BOOST_TEST_MODULE api_dev_tokens
#include <boost/test/unit_test.hpp>

#include <Poco/Net/ServerSocket.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

std::map<std::string, std::string> readDevTokens(const std::string& path) {
    std::map<std::string, std::string> tokens;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        tokens[line.substr(0, space)] = line.substr(space + 1);
    }
    return tokens;
}

bool portIsFree(int port) {
    try {
        Poco::Net::ServerSocket probe;
        probe.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true,
                   false);
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(relative_paths_live_under_the_working_directory_and_tokens_work) {
    TempDir dir;
    const int port = freePort();
    dir.write("dev.ini", "[server]\nlisten = 127.0.0.1:" + std::to_string(port) +
                             "\n[database]\npath = var/lojal.db\n[auth]\ndev_tokens_file = "
                             "var/dev-tokens\n");
    std::map<std::string, std::string> first;
    {
        LojaldProcess lojald({"--config", "dev.ini"}, dir.path());
        BOOST_REQUIRE_MESSAGE(lojald.waitUntilReady(), lojald.output());
        first = readDevTokens(dir.file("var/dev-tokens"));
        BOOST_REQUIRE_EQUAL(first.size(), 4u);
        for (const auto& [role, token] : first) {
            const auto whoami = httpRequest(port, "GET", "/v1/whoami", token);
            if (role == "monitor") {  // least privilege: /metrics and /v1/health only
                BOOST_TEST(whoami.status == 403);
                BOOST_TEST(httpRequest(port, "GET", "/metrics", token).status == 200);
                continue;
            }
            BOOST_TEST(whoami.status == 200);
            BOOST_TEST(whoami.body.find("\"role\":\"" + role + "\"") != std::string::npos);
        }
        struct stat info {};
        BOOST_REQUIRE(stat(dir.file("var/lojal.db").c_str(), &info) == 0);
        BOOST_TEST((info.st_mode & 0777) == 0600u);
        lojald.signal(SIGTERM);
        BOOST_REQUIRE(lojald.waitForExit().value_or(-1) == 0);
    }
    LojaldProcess again({"--config", "dev.ini"}, dir.path());
    BOOST_REQUIRE(again.waitUntilReady());
    BOOST_TEST((readDevTokens(dir.file("var/dev-tokens")) == first));  // reused, not replaced
    BOOST_TEST(httpRequest(port, "GET", "/v1/whoami", first["admin"]).status == 200);
}

BOOST_AUTO_TEST_CASE(embedded_default_serves_on_8470_with_data_under_var) {
    if (!portIsFree(8470)) {
        BOOST_TEST_MESSAGE("port 8470 is taken (a `make run` nearby?); not run");
        return;
    }
    TempDir dir;
    LojaldProcess lojald({}, dir.path());
    BOOST_REQUIRE_MESSAGE(lojald.waitUntilReady(), lojald.output());
    BOOST_TEST(lojald.output().find("listening on http://127.0.0.1:8470") != std::string::npos);
    BOOST_TEST(httpRequest(8470, "GET", "/v1/health").status == 200);
    const auto tokens = readDevTokens(dir.file("var/dev-tokens"));
    BOOST_TEST(tokens.size() == 4u);
    BOOST_TEST(httpRequest(8470, "GET", "/v1/config", tokens.at("admin")).status == 200);
    struct stat info {};
    BOOST_TEST(stat(dir.file("var/lojal.db").c_str(), &info) == 0);
    lojald.signal(SIGINT);
    BOOST_TEST(lojald.waitForExit().value_or(-1) == 0);
}
