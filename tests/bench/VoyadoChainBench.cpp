// A chain of stores sharing one Voyado API key, flushing their backlogs at once
// after a WAN outage: DAEMONS real lojald processes on loopback against one
// FakeVoyado that holds the key to Voyado's recommended 50 requests a second
// ("API rate limit") and answers 429 above it. In the same run:
//   - the default share per daemon (crm.max_requests_per_second unset: 0.8/s);
//   - the usual alternative, every daemon pacing itself to Voyado's 50/s alone
//     (45/s, the connector's old default).
// Prints 429s (all, and after the first 30 s), the busiest second and how long
// the backlog took; asserts nothing.
//
//   voyado-chain-bench [DAEMONS] [RECEIPTS_PER_DAEMON] [CAP_SECONDS]
//                      (default 50, 20, 240)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ExampleReceipt.h"
#include "FakeVoyado.h"
#include "LojaldProcess.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

struct Outcome {
    size_t stored = 0;
    double drainSeconds = 0;  // until every receipt was stored, or the cap
    size_t tooMany = 0;
    size_t tooManyAfterSettling = 0;
    size_t busiestSecond = 0;
    size_t busiestAfterSettling = 0;
};

constexpr auto kSettling = std::chrono::seconds(30);

Outcome flush(int daemons, int perDaemon, int capSeconds, const std::string& budget) {
    FakeVoyado voyado("chain-key");
    voyado.setRateLimit(50);
    voyado.setOffline(true);  // the WAN is down while the stores sell
    std::vector<std::unique_ptr<RunningLojald>> stores;
    for (int d = 0; d < daemons; ++d) {
        std::string config = std::string("[store]\nid = SE-").append(std::to_string(100 + d));
        config.append("\ncountry = SE\n[crm]\nsync = on\nconnector = voyado\nurl = ")
            .append(voyado.url())
            .append("\napi_key = chain-key\nretry_max_seconds = 5\n")
            .append(budget)
            .append("[members]\nsync_interval_seconds = 3600\n");
        stores.push_back(std::make_unique<RunningLojald>(config));
    }
    for (int d = 0; d < daemons; ++d) {
        for (int r = 0; r < perDaemon; ++r) {
            std::string id = std::string("s").append(std::to_string(d));
            id.append("-r").append(std::to_string(r));
            const auto posted = httpRequest(stores[d]->port, "POST", "/v1/receipts", kPosToken,
                                            exampleReceiptWithId(id));
            if (posted.status != 202) std::fprintf(stderr, "receipt answered %d\n", posted.status);
        }
    }
    const size_t total = static_cast<size_t>(daemons) * static_cast<size_t>(perDaemon);
    voyado.setOffline(false);  // the WAN is back: every store flushes
    const auto online = Clock::now();
    Outcome outcome;
    bool settled = false;
    while (Clock::now() - online < std::chrono::seconds(capSeconds)) {
        if (!settled && Clock::now() - online >= kSettling) {
            outcome.tooMany = voyado.tooManyRequestsAnswered();
            outcome.busiestSecond = voyado.busiestSecond();
            voyado.resetRequestStats();
            settled = true;
        }
        if (voyado.waitForReceipts(total, std::chrono::milliseconds(200))) break;
    }
    outcome.drainSeconds = std::chrono::duration<double>(Clock::now() - online).count();
    outcome.stored = voyado.receiptsStored();
    if (settled) {
        outcome.tooManyAfterSettling = voyado.tooManyRequestsAnswered();
        outcome.busiestAfterSettling = voyado.busiestSecond();
        outcome.tooMany += outcome.tooManyAfterSettling;
    } else {
        outcome.tooMany = voyado.tooManyRequestsAnswered();
        outcome.busiestSecond = voyado.busiestSecond();
    }
    return outcome;
}

void print(const char* name, const Outcome& o, size_t total) {
    std::printf(
        "  %-44s stored %4zu/%zu in %6.1f s  429s %5zu (after 30 s: %4zu)  busiest second %3zu "
        "(after 30 s: %3zu)\n",
        name, o.stored, total, o.drainSeconds, o.tooMany, o.tooManyAfterSettling, o.busiestSecond,
        o.busiestAfterSettling);
}

}  // namespace

int main(int argc, char** argv) {
    const int daemons = argc > 1 ? std::atoi(argv[1]) : 50;
    const int perDaemon = argc > 2 ? std::atoi(argv[2]) : 20;
    const int capSeconds = argc > 3 ? std::atoi(argv[3]) : 240;
    const size_t total = static_cast<size_t>(daemons) * static_cast<size_t>(perDaemon);
    std::printf(
        "voyado chain: %d lojald on one API key, %d receipts each queued during an outage, "
        "the fake answering 429 above 50 requests/s per key (goal: no 429 after settling):\n",
        daemons, perDaemon);
    std::fflush(stdout);
    print("default share (0.8/s per daemon)", flush(daemons, perDaemon, capSeconds, ""), total);
    std::fflush(stdout);
    print("each daemon alone at 45/s (the old default)",
          flush(daemons, perDaemon, capSeconds, "max_requests_per_second = 45\n"), total);
    return 0;
}
