// Sign-up benchmark: durable sign-ups per second with 8 concurrent POS clients
// (log gateway), then the time from POST /v1/signups to the SMS arriving at a real
// Kannel's fakesmsc. Prints figures; asserts nothing.
//
//   signup-bench [SIGNUPS] [KANNEL_SIGNUPS]     (defaults 8000 and 200)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "LojaldProcess.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSignupConfig =
    "[store]\nid = bench\nname = Rusta\n[signup]\nbase_url = https://join.example.com\n"
    "secret = bench-signup-secret-0123456789abcdef-xyz\n"
    "[limits]\nper_register_per_minute = 10000\nper_store_per_minute = 100000\ndaily_sms_budget = "
    "10000000\n";

std::string signupBody(int n) {
    return "{\"phone\":\"070" + std::to_string(1000000 + n) +
           "\",\"cashier_id\":\"c\",\"register_id\":\"reg-" + std::to_string(n % 8) +
           "\",\"consent\":{\"marketing_sms\":true,\"terms_version\":\"1\",\"text_shown\":\"ok\"}}";
}

void throughput(int total) {
    RunningLojald lojald(kSignupConfig);
    // Quiet, as in production: debug logging would measure the terminal.
    httpRequest(lojald.port, "PUT", "/v1/log-level", kAdminToken, "{\"level\":\"warning\"}");
    constexpr int kClients = 8;
    std::vector<std::vector<double>> latencies(kClients);
    std::atomic<int> next{0}, failures{0};
    const auto start = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            Poco::Net::HTTPClientSession session("127.0.0.1",
                                                 static_cast<Poco::UInt16>(lojald.port));
            for (int n = next++; n < total; n = next++) {
                const auto sent = Clock::now();
                if (postOnSession(session, "/v1/signups", signupBody(n)) != 202) ++failures;
                latencies[c].push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
            }
        });
    }
    for (auto& client : clients) client.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::printf("sign-ups, 8 clients, durable (synchronous=FULL, group commit), log gateway:\n");
    std::printf("  %d in %.2f s = %.0f sign-ups/s; answer p50 %.2f ms, p99 %.2f ms; %d not 202\n",
                total, seconds, total / seconds, percentile(all, 50), percentile(all, 99),
                failures.load());
}

void kannelLatency(int count) {
    TempDir dir;
    const int admin = freePort(), smsbox = freePort(), smsc = freePort(), sendsms = freePort();
    dir.write("kannel.conf",
              "group = core\nadmin-port = " + std::to_string(admin) +
                  "\nadmin-password = a\nsmsbox-port = " + std::to_string(smsbox) +
                  "\nadmin-allow-ip = \"127.0.0.1\"\nbox-allow-ip = \"127.0.0.1\"\nlog-file = \"" +
                  dir.file("bb.log") +
                  "\"\nlog-level = 1\ndlr-storage = internal\n\ngroup = smsc\nsmsc = fake\nsmsc-id "
                  "= fake\n"
                  "port = " +
                  std::to_string(smsc) +
                  "\nconnect-allow-ip = \"127.0.0.1\"\n\ngroup = smsbox\nbearerbox-host = "
                  "127.0.0.1\nbearerbox-port = " +
                  std::to_string(smsbox) + "\nsendsms-port = " + std::to_string(sendsms) +
                  "\nlog-file = \"" + dir.file("sb.log") +
                  "\"\nlog-level = 1\n\ngroup = sendsms-user\nusername = u\n"
                  "password = p\nmax-messages = 3\n");
    ChildProcess bearerbox("/usr/sbin/bearerbox", {dir.file("kannel.conf")}, dir.path());
    if (!bearerbox.waitForOutput("sms_router")) return;
    ChildProcess operatorSide(
        "/usr/lib/kannel/test/fakesmsc",
        {"-H", "127.0.0.1", "-r", std::to_string(smsc), "-i", "1", "-m", "0", "1 2 text x"},
        dir.path());
    ChildProcess box("/usr/sbin/smsbox", {dir.file("kannel.conf")}, dir.path());
    if (!box.waitForOutput("sendsms_thread")) return;
    const int port = freePort();
    LojaldProcess lojald(
        {"--config", writeTestConfig(dir, port,
                                     kSignupConfig +
                                         "[sms]\ngateway = kannel\nurl = "
                                         "http://127.0.0.1:" +
                                         std::to_string(sendsms) +
                                         "\nusername = u\npassword = p\nsender = Rusta\n")},
        dir.path());
    if (!lojald.waitUntilReady()) return;
    // Warm-up: the first message waits for smsbox and fakesmsc to be connected.
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    postOnSession(session, "/v1/signups", signupBody(900000));
    if (!operatorSide.waitForOutput("Got message 1:", std::chrono::seconds(20))) return;
    std::vector<double> millis;
    for (int i = 0; i < count; ++i) {
        const auto sent = Clock::now();
        if (postOnSession(session, "/v1/signups", signupBody(i)) != 202) continue;
        if (!operatorSide.waitForOutput("Got message " + std::to_string(i + 2) + ":",
                                        std::chrono::seconds(10)))
            break;
        millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    }
    if (millis.empty()) return;
    std::printf(
        "POST /v1/signups -> SMS at Kannel's fakesmsc (bearerbox + smsbox), %zu sign-ups one at a "
        "time:\n",
        millis.size());
    std::printf("  p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", percentile(millis, 50),
                percentile(millis, 99), percentile(millis, 100));
}

}  // namespace

int main(int argc, char** argv) {
    throughput(argc > 1 ? std::atoi(argv[1]) : 8000);
    kannelLatency(argc > 2 ? std::atoi(argv[2]) : 200);
    return 0;
}
