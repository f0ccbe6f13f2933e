#define BOOST_TEST_MODULE api_keep_alive
#include <boost/test/unit_test.hpp>

#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <vector>

#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

// Sends one keep-alive request and reads exactly one response, leaving the
// connection open and idle.
int requestKeepingAlive(Poco::Net::StreamSocket& socket) {
    const std::string request = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string response;
    char buffer[2048];
    size_t expected = std::string::npos;
    while (expected == std::string::npos || response.size() < expected) {
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return 0;
        response.append(buffer, static_cast<size_t>(n));
        const auto end = response.find("\r\n\r\n");
        const auto length = response.find("Content-Length: ");
        if (end != std::string::npos && length != std::string::npos) {
            expected = end + 4 + std::stoul(response.substr(length + 16));
        }
    }
    return rawStatus(response);
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_hundred_idle_keep_alive_connections_do_not_starve_a_new_request) {
    // Default pool and queue; a keep-alive timeout longer than the client's own
    // timeout, so the new request cannot pass by waiting for idle ones to expire.
    // Idle connections wait in the connection hub and hold no thread; the cap on
    // connections per address is raised so that 200 from one address are let in.
    RunningLojald lojald("[server]\nkeep_alive_timeout = 120\nmax_connections_per_peer = 500\n");
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
    for (int i = 0; i < 200; ++i) {
        auto socket = std::make_unique<Poco::Net::StreamSocket>(
            Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(lojald.port)));
        socket->setReceiveTimeout(Poco::Timespan(10, 0));
        BOOST_REQUIRE_EQUAL(requestKeepingAlive(*socket), 200);
        idle.push_back(std::move(socket));
    }
    const auto fresh = httpRequest(lojald.port, "GET", "/v1/health");  // 10 s client timeout
    BOOST_TEST(fresh.status == 200);
    // The idle connections are still served too.
    BOOST_TEST(requestKeepingAlive(*idle.front()) == 200);
    BOOST_TEST(requestKeepingAlive(*idle.back()) == 200);
}
