// Member lookups against a CRM that accepts connections and never answers in
// time (the usual WAN failure: packets dropped), in the same run: a lojald that
// asks the CRM on every lookup (health_probe_seconds = 0, the old behaviour)
// beside one that knows the CRM is down and lets the cache answer at once.
// Prints figures; asserts nothing.
//
//   crm-health-bench [LOOKUPS]     (default 40 per lojald)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "LojaldProcess.h"
#include "TestCrm.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

// A fresh test CRM per lojald: a silent one keeps its handler threads asleep.
std::vector<double> lookups(const std::string& healthProbe, int count) {
    TestCrm crm;
    crm.putMember("M1", "+46701234567", {"card-tok-1"}, "gold", 120);
    RunningLojald lojald("[crm]\nsync = on\nurl = " + crm.url() +
                         "\napi_key = k\nhealth_probe_seconds = " + healthProbe + "\n");
    crm.setMemberDelay(0);
    httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=%2B46701234567",
                kPosToken);  // cache it
    crm.setMemberDelay(60000);
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        const auto started = Clock::now();
        const auto answer =
            httpRequest(lojald.port, "GET", "/v1/members/lookup?phone=%2B46701234567", kPosToken);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        if (answer.status != 200) std::fprintf(stderr, "lookup answered %d\n", answer.status);
    }
    crm.setMemberDelay(0);
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 40;
    const auto before = lookups("0", count);
    auto after = lookups("5", count + 2);
    // The first two are the misses that teach lojald the CRM is down.
    const std::vector<double> learning(after.begin(), after.begin() + 2);
    after.erase(after.begin(), after.begin() + 2);
    std::printf(
        "member lookup, CRM accepting but silent, %d lookups each (goal p99 < 5 ms with the health "
        "state):\n  asking the CRM every time (lookup_timeout_ms 300): p50 %6.1f ms  p99 %6.1f ms\n"
        "  CRM known down, the cache answers:                p50 %6.1f ms  p99 %6.1f ms   (p99 "
        "ratio %.4f; the 2 lookups that found it down took %.0f and %.0f ms)\n",
        count, percentile(before, 50), percentile(before, 99), percentile(after, 50),
        percentile(after, 99), percentile(after, 99) / percentile(before, 99), learning[0],
        learning[1]);
    return 0;
}
