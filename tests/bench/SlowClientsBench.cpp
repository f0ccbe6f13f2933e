// Normal calls beside hostile ones, through the real lojald: GET /v1/health and
// POST /v1/receipts from one client, first alone, then beside 300 connections
// that trickle a request head (slowloris) and 300 idle /v1/events WebSockets,
// side by side in the same run; and lojald's thread count in each state (the
// old server held a thread per connection); then the request counter's series
// after a flood of made-up methods. Prints figures; asserts nothing.
//
//   slow-clients-bench [CALLS]      (default 1000 per phase)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"
#include "SlowClients.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

int threadsOf(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    }
    return -1;
}

struct Figures {
    double p50 = 0, p99 = 0;
    int failed = 0;
};

Figures normalCalls(int port, int calls, const std::string& phase) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    std::vector<double> latencies;
    Figures figures;
    for (int i = 0; i < calls; ++i) {
        const auto start = Clock::now();
        const int status = i % 2 == 0
                               ? httpRequest(port, "GET", "/v1/health").status
                               : postOnSession(session, "/v1/receipts",
                                               exampleReceiptWithId(phase + std::to_string(i)));
        latencies.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (status < 200 || status >= 300) ++figures.failed;
    }
    figures.p50 = percentile(latencies, 50);
    figures.p99 = percentile(latencies, 99);
    return figures;
}

}  // namespace

int main(int argc, char** argv) {
    const int calls = argc > 1 ? std::max(10, std::atoi(argv[1])) : 1000;
    RunningLojald lojald(
        "[server]\nmax_connections_per_peer = 2000\nmax_streams_per_token = 1000\n"
        "header_timeout = 120\nkeep_alive_timeout = 120\n");
    const pid_t pid = lojald.process->pid();
    const int idleThreads = threadsOf(pid);
    const Figures alone = normalCalls(lojald.port, calls, "alone-");

    std::vector<std::unique_ptr<EventClient>> streams;
    for (int i = 0; i < 300; ++i)
        streams.push_back(std::make_unique<EventClient>(lojald.port, kKioskToken));
    std::optional<Slowloris> slow;
    slow.emplace(lojald.port, 300, "127.0.0.2", std::chrono::milliseconds(500));
    const int busyThreads = threadsOf(pid);
    const Figures besieged = normalCalls(lojald.port, calls, "besieged-");
    slow.reset();

    std::printf(
        "normal calls (health + receipt), alone: p50 %.2f ms, p99 %.2f ms, %d failed; beside 300 "
        "slowloris + 300 WebSockets: p50 %.2f ms, p99 %.2f ms (goal < 50), %d failed; "
        "ratio p99 %.2fx\n",
        alone.p50, alone.p99, alone.failed, besieged.p50, besieged.p99, besieged.failed,
        alone.p99 > 0 ? besieged.p99 / alone.p99 : 0.0);
    std::printf("lojald threads: %d idle, %d with 300 slowloris + 300 open WebSockets\n",
                idleThreads, busyThreads);

    // 100,000 requests with made-up methods, pipelined 1,000 to a connection:
    // the request counter must keep its handful of series.
    for (int batch = 0; batch < 100; ++batch) {
        std::string flood;
        for (int i = 0; i < 1000; ++i) {
            flood += std::string("X").append(std::to_string(batch * 1000 + i));
            flood += " /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        }
        flood += "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        (void)rawExchange(lojald.port, flood);
    }
    const std::string metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken).body;
    size_t series = 0;
    for (size_t at = 0;
         (at = metrics.find("\nlojal_http_requests_total{", at)) != std::string::npos; ++at)
        ++series;
    std::printf(
        "after 100,000 requests with made-up methods: %zu lojal_http_requests_total series, "
        "/metrics %zu bytes\n",
        series, metrics.size());
    return 0;
}
