#define BOOST_TEST_MODULE api_lifecycle
#include <boost/test/unit_test.hpp>

#include <Poco/Net/StreamSocket.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <thread>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

bool fileExists(const std::string& path) {
    struct stat info {};
    return stat(path.c_str(), &info) == 0;
}

int inFlightRequests(int port) {
    const auto metrics = httpRequest(port, "GET", "/metrics", kAdminToken);
    std::smatch match;
    static const std::regex gauge("\nlojal_http_requests_in_flight ([0-9]+)\n");
    return std::regex_search(metrics.body, match, gauge) ? std::stoi(match[1]) : -1;
}

Poco::Net::StreamSocket connectTo(int port) {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    return socket;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigterm_with_idle_keep_alive_connection_exits_zero_within_five_seconds) {
    RunningLojald lojald("[server]\nkeep_alive_timeout = 60\n");
    auto idle = connectTo(lojald.port);
    const std::string request = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    idle.sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[1024];
    BOOST_REQUIRE(idle.receiveBytes(buffer, sizeof buffer) > 0);

    lojald.process->signal(SIGTERM);
    const auto status = lojald.process->waitForExit(5s);
    BOOST_REQUIRE_MESSAGE(status.has_value(), "still running 5 s after SIGTERM");
    BOOST_TEST(*status == 0);
    BOOST_TEST(lojald.process->output().find("stopped") != std::string::npos);
    // Closing the database checkpointed and removed the write-ahead log.
    BOOST_TEST(!fileExists(lojald.dir.file("lojal.db-wal")));
}

BOOST_AUTO_TEST_CASE(sigint_stops_cleanly) {
    RunningLojald lojald;
    lojald.process->signal(SIGINT);
    const auto status = lojald.process->waitForExit(5s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(*status == 0);
}

BOOST_AUTO_TEST_CASE(request_in_flight_at_sigterm_is_finished) {
    RunningLojald lojald;
    auto slow = connectTo(lojald.port);
    const std::string body = "{\"level\":\"information\"}";
    const std::string head =
        "PUT /v1/log-level HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
        std::string(kAdminToken) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body.substr(0, 5);
    slow.sendBytes(head.data(), static_cast<int>(head.size()));
    // Wait until lojald is inside that request (the /metrics call itself is the other one).
    BOOST_REQUIRE(eventually([&] { return inFlightRequests(lojald.port) == 2; }));

    lojald.process->signal(SIGTERM);
    BOOST_REQUIRE_MESSAGE(lojald.process->waitForOutput("waiting for 1 request(s) in flight"),
                          lojald.process->output());
    const std::string rest = body.substr(5);
    slow.sendBytes(rest.data(), static_cast<int>(rest.size()));
    std::string response;
    char buffer[1024];
    int n = 0;
    while ((n = slow.receiveBytes(buffer, sizeof buffer)) > 0) response.append(buffer, n);
    BOOST_TEST(rawStatus(response) == 200, response);
    BOOST_TEST(response.find("Connection: Close") != std::string::npos);

    const auto status = lojald.process->waitForExit(5s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(*status == 0);
}

BOOST_AUTO_TEST_CASE(kill_9_then_restart_serves_with_the_same_database) {
    TempDir dir;
    const int port = freePort();
    const auto config = writeTestConfig(dir, port);
    {
        LojaldProcess first({"--config", config}, dir.path());
        BOOST_REQUIRE(first.waitUntilReady());
        first.signal(SIGKILL);
        BOOST_REQUIRE(first.waitForExit().has_value());
    }
    LojaldProcess second({"--config", config}, dir.path());
    BOOST_REQUIRE_MESSAGE(second.waitUntilReady(), second.output());
    BOOST_TEST(httpRequest(port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(daemon_mode_detaches_serves_and_stops_on_sigterm) {
    TempDir dir;
    const int port = freePort();
    const auto config =
        writeTestConfig(dir, port, "[log]\ntarget = file\nfile = " + dir.file("lojald.log") + "\n");
    LojaldProcess parent({"--config", "lojald.ini", "--daemon", "--pidfile=" + dir.file("pid")},
                         dir.path());
    BOOST_REQUIRE(parent.waitForExit().value_or(-1) == 0);  // the parent returns at once

    // The detached child writes its pid file, then serves; poll for both (bounded).
    pid_t child = 0;
    BOOST_REQUIRE(
        eventually([&] { return static_cast<bool>(std::ifstream(dir.file("pid")) >> child); }));
    BOOST_REQUIRE(child > 0);
    BOOST_REQUIRE(eventually([&] {
        try {
            return httpRequest(port, "GET", "/v1/health").status == 200;
        } catch (const Poco::Exception&) {
            return false;  // not listening yet
        }
    }));

    BOOST_REQUIRE(kill(child, SIGTERM) == 0);
    const bool gone = eventually([&] { return kill(child, 0) != 0; }, 5s);
    BOOST_TEST(gone);
    std::ifstream log(dir.file("lojald.log"));
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    BOOST_TEST(text.find("Notice lojal: stopped") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_request_that_never_finishes_cannot_hold_shutdown) {
    RunningLojald lojald("[server]\nshutdown_grace_ms = 500\nrequest_timeout = 60\n");
    auto stuck = connectTo(lojald.port);
    const std::string head = "PUT /v1/log-level HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                             std::string(kAdminToken) +
                             "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    stuck.sendBytes(head.data(), static_cast<int>(head.size()));
    BOOST_REQUIRE(eventually([&] { return inFlightRequests(lojald.port) == 2; }));
    lojald.process->signal(SIGTERM);
    const auto status = lojald.process->waitForExit(5s);
    BOOST_REQUIRE_MESSAGE(status.has_value(), "still running 5 s after SIGTERM");
    BOOST_TEST(*status == 0);
    BOOST_TEST(lojald.process->output().find("grace time over: aborting 1 request(s)") !=
               std::string::npos);
}
