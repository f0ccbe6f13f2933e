// Card terminal flows through the real lojald and zvt-sim, over a pty (serial
// framing, 9600 8N2 on a pty that does not pace bytes) and over TCP on loopback,
// side by side: a read card from the POST to its `finished` event, the time from
// the terminal's last message (its card data) to `finished` (a read used to
// stay open until T4, 180 s), and an abort of a card wait from the POST to
// `finished`. Prints figures; asserts nothing (tests assert behaviour).
//
//   zvt-flow-bench [FLOWS]      (default 200 per link)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "LojaldProcess.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void run(const std::string& link, int flows) {
    TempDir simDir;
    ZvtSim sim(link == "tcp" ? "tcp" : simDir.file("ttyZVT"));
    RunningLojald lojald("[device.t1]\ndriver = zvt\nport = " + sim.location() +
                         "\ncard_token_key = zvt-card-token-key-for-bench\n");
    EventClient events(lojald.port, kPosToken, "?since=0");
    events.waitFor({"\"flow\":\"registration\"", "\"stage\":\"finished\""});
    const auto post = [&](const std::string& what) {
        return httpRequest(lojald.port, "POST", "/v1/terminals/t1/" + what, kPosToken).status;
    };
    std::vector<double> total, afterLast, abortMs;
    for (int i = 0; i < flows; ++i) {
        const auto start = Clock::now();
        if (post("read-card") != 202) break;
        if (events.waitFor({"\"stage\":\"finished\""}).empty()) break;
        const int64_t doneAt = wallMs();
        total.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        afterLast.push_back(static_cast<double>(doneAt - sim.lastSentMs()));
    }
    sim.mode("wait");
    for (int i = 0; i < flows / 4; ++i) {
        if (post("read-card") != 202) break;
        events.waitFor({"\"text\":\"insert card\""});
        const auto start = Clock::now();
        if (post("abort") != 202) break;
        if (events.waitFor({"\"stage\":\"finished\""}).empty()) break;
        abortMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::printf(
        "zvt %-6s read card POST -> finished: p50 %.1f ms, p99 %.1f ms (%zu flows); terminal's "
        "last message -> finished: p50 %.0f ms, max %.0f ms; abort of a card wait -> finished: "
        "p50 %.1f ms, p99 %.1f ms (%zu)\n",
        link.c_str(), percentile(total, 50), percentile(total, 99), total.size(),
        percentile(afterLast, 50), percentile(afterLast, 100), percentile(abortMs, 50),
        percentile(abortMs, 99), abortMs.size());
}

}  // namespace

int main(int argc, char** argv) {
    const int flows = argc > 1 ? std::max(4, std::atoi(argv[1])) : 200;
    run("serial", flows);
    run("tcp", flows);
    return 0;
}
