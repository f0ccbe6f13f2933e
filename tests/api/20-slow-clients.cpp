#define BOOST_TEST_MODULE api_slow_clients
// No client can starve the others: connections that trickle a request head
// (slowloris), idle WebSockets and greedy peers hold no worker thread, meet
// their deadlines and caps, and a normal client keeps being answered.
#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <optional>
#include <thread>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "SlowClients.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Reads until the server closes the connection (or `timeout`); what it sent.
std::string readToClose(Poco::Net::StreamSocket& socket, Poco::Timespan timeout) {
    socket.setReceiveTimeout(timeout);
    std::string all;
    char buffer[2048];
    try {
        for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) all.append(buffer, n);
    } catch (const Poco::Exception&) {
        all += "<timeout>";
    }
    return all;
}

std::string metrics(int port) {
    return httpRequest(port, "GET", "/metrics", kAdminToken).body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(slowloris_and_idle_websockets_leave_the_api_answering) {
    // Caps raised so that every hostile connection is let in: what keeps the API
    // up here is that waiting connections hold no thread, not that they are refused.
    RunningLojald lojald(
        "[server]\nmax_connections_per_peer = 2000\nmax_streams_per_token = 1000\n"
        "header_timeout = 60\nkeep_alive_timeout = 60\n");
    const int port = lojald.port;
    std::vector<std::unique_ptr<EventClient>> streams;
    for (int i = 0; i < 300; ++i)
        streams.push_back(std::make_unique<EventClient>(port, kKioskToken));
    // One header byte every 200 ms from each slow connection while the normal
    // client works (a thread of its own, so the trickle never waits for the client).
    std::optional<Slowloris> slow;
    slow.emplace(port, 300, "127.0.0.2", std::chrono::milliseconds(200));
    std::vector<double> latencies;
    int answered = 0;
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    for (int i = 0; i < 200; ++i) {
        const auto start = Clock::now();
        const int status =
            i % 2 == 0 ? httpRequest(port, "GET", "/v1/health").status
                       : postOnSession(session, "/v1/receipts",
                                       exampleReceiptWithId("slow-clients-" + std::to_string(i)));
        latencies.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (status >= 200 && status < 300) ++answered;
    }
    slow.reset();
    const double p99 = percentile(latencies, 99);
    BOOST_TEST_MESSAGE("normal calls beside 300 slowloris + 300 WebSockets: p99 " << p99 << " ms");
    BOOST_TEST(answered == 200);
    // The goal (p99 < 50 ms) is measured by `make bench`; here a bound that the
    // old thread-per-connection server missed by minutes and a sanitizer build meets.
    BOOST_TEST(p99 < 500.0);
    const std::string figures = metrics(port);
    BOOST_TEST(has(figures, "lojal_event_streams 300"), figures);
}

BOOST_AUTO_TEST_CASE(a_head_that_does_not_arrive_in_time_gets_408_and_a_close) {
    RunningLojald lojald("[server]\nheader_timeout = 1\n");
    auto socket = connectFrom("127.0.0.1", lojald.port);
    socket.sendBytes("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", 42);  // and never the end
    const auto start = Clock::now();
    const std::string answer = readToClose(socket, Poco::Timespan(10, 0));
    BOOST_TEST(rawStatus(answer) == 408, answer);
    BOOST_TEST(has(answer, "request_timeout"), answer);
    BOOST_TEST((Clock::now() - start < std::chrono::seconds(5)));
    BOOST_TEST(has(metrics(lojald.port),
                   "lojal_http_connections_refused_total{reason=\"header_timeout\"} 1"));
}

BOOST_AUTO_TEST_CASE(a_head_larger_than_64_kib_gets_431) {
    RunningLojald lojald;
    auto socket = connectFrom("127.0.0.1", lojald.port);
    const std::string head = "GET /v1/health HTTP/1.1\r\nX-Filler: " + std::string(70000, 'a');
    try {
        socket.sendBytes(head.data(), static_cast<int>(head.size()));
    } catch (const Poco::Exception&) {  // the server may close while we still send
    }
    const std::string answer = readToClose(socket, Poco::Timespan(10, 0));
    BOOST_TEST(rawStatus(answer) == 431, answer);
}

BOOST_AUTO_TEST_CASE(a_peer_past_its_cap_is_refused_at_accept_and_others_are_not) {
    RunningLojald lojald("[server]\nmax_connections_per_peer = 4\n");
    std::vector<Poco::Net::StreamSocket> held;
    for (int i = 0; i < 4; ++i) held.push_back(connectFrom("127.0.0.3", lojald.port));
    // The fifth from that address is closed at once: a clean end of stream, no answer.
    auto fifth = connectFrom("127.0.0.3", lojald.port);
    const std::string refused = readToClose(fifth, Poco::Timespan(10, 0));
    BOOST_TEST(refused.empty(), refused);
    // Another address is served; the count shows in /metrics.
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
    BOOST_TEST(has(metrics(lojald.port),
                   "lojal_http_connections_refused_total{reason=\"per_peer_limit\"} 1"));
    // A place freed is a place taken again.
    held.pop_back();
    BOOST_TEST(eventually([&] {
        auto again = connectFrom("127.0.0.3", lojald.port);
        again.sendBytes("GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n", 47);
        return rawStatus(readToClose(again, Poco::Timespan(5, 0))) == 200;
    }));
}

BOOST_AUTO_TEST_CASE(a_token_past_its_stream_cap_gets_429_before_the_upgrade) {
    RunningLojald lojald("[server]\nmax_streams_per_token = 2\n");
    std::vector<std::unique_ptr<EventClient>> open;
    open.push_back(std::make_unique<EventClient>(lojald.port, kKioskToken));
    open.push_back(std::make_unique<EventClient>(lojald.port, kKioskToken));
    const auto third = httpRequest(lojald.port, "GET", "/v1/events", kKioskToken);
    BOOST_TEST(third.status == 429);
    BOOST_TEST(errorCode(third.body) == "too_many_streams");
    // Another token is not affected, and a closed stream frees its place.
    EventClient other(lojald.port, kPosToken);
    open.pop_back();
    BOOST_TEST(eventually([&] {
        try {
            EventClient again(lojald.port, kKioskToken);
            return true;
        } catch (const Poco::Exception&) {
            return false;
        }
    }));
}
