// Store operations, in one run:
//  - erasure with RECEIPTS receipts and SIGNUPS sign-ups (each with a consent, an
//    SMS and a cached member) in the store: by phone number (the indexes of
//    migration 9) beside by member id (the member's clear number is unknown, so
//    sign-ups, PIN and SMS rows are hashed one by one: how every erasure worked
//    before), both as the HTTP call and as `lojalctl erase` wall time;
//  - `lojalctl status` wall time beside curl-like GET /v1/status on a new connection.
// Prints figures; asserts nothing.
//
//   operations-bench [RECEIPTS] [SIGNUPS] [ERASURES]   (default 100000 50000 20)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "LojaldProcess.h"
#include "core/Time.h"
#include "members/MemberKeys.h"
#include "store/Database.h"

using namespace lojal;
using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string phoneOf(int i) {
    char text[16];
    std::snprintf(text, sizeof text, "+4670%07d", i);
    return text;
}

// Joins text without operator+ on literals (GCC 12's -Wrestrict false alarm).
std::string cat(std::initializer_list<std::string_view> parts) {
    std::string text;
    for (std::string_view part : parts) text.append(part);
    return text;
}

double msSince(Clock::time_point started) {
    return std::chrono::duration<double, std::milli>(Clock::now() - started).count();
}

// Fills the store as months of trading would: every sign-up's number is a cached
// member who bought receipts/signups receipts.
void fill(const std::string& path, int receipts, int signups) {
    DatabaseConfig config;
    config.path = path;
    auto database = Database::open(config);
    if (!database) {
        std::fprintf(stderr, "%s\n", database.error().message.c_str());
        std::exit(1);
    }
    auto keys = MemberKeys::load(**database);
    // Recent rows: older ones would be the retention purge's at lojald's start.
    const int64_t now = unixMillisNow();
    const Status filled = (*database)->write([&](Transaction& tx) -> Status {
        for (int i = 0; i < signups; ++i) {
            const std::string phone = phoneOf(i);
            const std::string id = std::to_string(i + 1);
            auto sms = tx.prepare(
                "INSERT INTO sms (id, phone, text, encoding, segments, state, created_at, "
                "updated_at) VALUES (?1, ?2, 'Welcome', 'gsm7', 1, 'delivered', ?3, ?3)");
            sms.bind(1, static_cast<int64_t>(i + 1)).bind(2, phone).bind(3, now);
            if (auto done = sms.execute(); !done) return done;
            auto signup = tx.prepare(
                "INSERT INTO signups (id, phone, locale, store_id, register_id, cashier_id, "
                "sms_id, created_at) VALUES (?1, ?2, 'sv', 's', 'r', 'c', ?1, ?3)");
            signup.bind(1, static_cast<int64_t>(i + 1)).bind(2, phone).bind(3, now);
            if (auto done = signup.execute(); !done) return done;
            auto consent = tx.prepare(
                "INSERT INTO consents (signup_id, purpose, granted, text_version, text_shown, "
                "store_id, register_id, cashier_id, created_at, sync_state) VALUES (?1, "
                "'marketing_sms', 1, 'v1', 'Ja.', 's', 'r', 'c', ?2, 'synced')");
            consent.bind(1, static_cast<int64_t>(i + 1)).bind(2, now);
            if (auto done = consent.execute(); !done) return done;
            auto member = tx.prepare(
                "INSERT INTO members (member_id, phone_hash, tier, points, synced_at) VALUES "
                "(?1, ?2, 'gold', 10, ?3)");
            member.bind(1, cat({"M", id})).bind(2, keys->phone(phone)).bind(3, now);
            if (auto done = member.execute(); !done) return done;
        }
        for (int i = 0; i < receipts; ++i) {
            const std::string phone = phoneOf(i % signups);
            auto receipt = tx.prepare(
                "INSERT INTO receipts (receipt_id, store_id, register_id, digest, body, "
                "received_at, member_ref) VALUES (?1, 's', 'r', 'd', ?2, ?4, ?3)");
            receipt.bind(1, cat({"r-", std::to_string(i)}))
                .bind(2, cat({"{\"receipt_id\":\"r-", std::to_string(i),
                              "\",\"member\":{\"phone\":\"", phone, "\"},\"total\":\"10.00\"}"}))
                .bind(3, keys->phone(phone))
                .bind(4, now);
            if (auto done = receipt.execute(); !done) return done;
        }
        return okStatus();
    });
    if (!filled) {
        std::fprintf(stderr, "fill: %s\n", filled.error().message.c_str());
        std::exit(1);
    }
}

double runCtl(const TempDir& dir, const std::string& config, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--config", config, "--token-file", dir.file("ctl.token")};
    all.insert(all.end(), args.begin(), args.end());
    const auto started = Clock::now();
    ChildProcess process(LOJALCTL_PATH, all, dir.path());
    const auto code = process.waitForExit(std::chrono::seconds(120));
    const double ms = msSince(started);
    if (code != 0) std::fprintf(stderr, "lojalctl failed: %s\n", process.output().c_str());
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    const int receipts = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int signups = argc > 2 ? std::atoi(argv[2]) : 50000;
    const int erasures = argc > 3 ? std::atoi(argv[3]) : 20;
    TempDir dir;
    const auto fillStarted = Clock::now();
    fill(dir.file("lojal.db"), receipts, signups);
    const double fillMs = msSince(fillStarted);
    const int port = freePort();
    const std::string config = writeTestConfig(dir, port);
    dir.write("ctl.token", std::string(kAdminToken) + "\n");
    LojaldProcess lojald({"--config", config}, dir.path());
    if (!lojald.waitUntilReady(std::chrono::seconds(60))) {
        std::fprintf(stderr, "lojald did not start:\n%s\n", lojald.output().c_str());
        return 1;
    }

    std::vector<double> byPhone, byMember, ctlByPhone, ctlByMember;
    for (int i = 0; i < erasures; ++i) {
        // Different customers each time, spread over the store.
        const int a = (i * 4 + 0) * (signups / (erasures * 4 + 1));
        const int b = (i * 4 + 1) * (signups / (erasures * 4 + 1));
        const int c = (i * 4 + 2) * (signups / (erasures * 4 + 1));
        const int d = (i * 4 + 3) * (signups / (erasures * 4 + 1));
        auto started = Clock::now();
        const auto phoneAnswer = httpRequest(port, "POST", "/v1/members/erase", kAdminToken,
                                             cat({"{\"phone\":\"", phoneOf(a), "\"}"}));
        byPhone.push_back(msSince(started));
        started = Clock::now();
        const auto memberAnswer =
            httpRequest(port, "POST", cat({"/v1/members/M", std::to_string(b + 1), "/erase"}),
                        kAdminToken, "{}");
        byMember.push_back(msSince(started));
        for (const auto* answer : {&phoneAnswer, &memberAnswer}) {
            if (answer->status != 200 ||
                answer->body.find("\"personal_rows\":0") != std::string::npos)
                std::fprintf(stderr, "erasure answered %d %s\n", answer->status,
                             answer->body.c_str());
        }
        ctlByPhone.push_back(runCtl(dir, config, {"erase", "--phone", phoneOf(c)}));
        ctlByMember.push_back(
            runCtl(dir, config, {"erase", "--member", cat({"M", std::to_string(d + 1)})}));
    }
    std::vector<double> ctlStatus, curlStatus;
    for (int i = 0; i < 20; ++i) {
        ctlStatus.push_back(runCtl(dir, config, {"status"}));
        const auto started = Clock::now();
        httpRequest(port, "GET", "/v1/status", kAdminToken);
        curlStatus.push_back(msSince(started));
    }
    std::printf(
        "erasure with %d receipts and %d sign-ups (+ as many consents, SMS, cached members; "
        "filled in %.0f ms), %d erasures each (goal < 1 s by phone):\n"
        "  POST /v1/members/erase by phone (indexes):        p50 %7.1f ms  p99 %7.1f ms\n"
        "  POST /v1/members/{id}/erase (hash every number):  p50 %7.1f ms  p99 %7.1f ms\n"
        "  lojalctl erase --phone, wall:                     p50 %7.1f ms  p99 %7.1f ms\n"
        "  lojalctl erase --member, wall:                    p50 %7.1f ms  p99 %7.1f ms\n",
        receipts, signups, fillMs, erasures, percentile(byPhone, 50), percentile(byPhone, 99),
        percentile(byMember, 50), percentile(byMember, 99), percentile(ctlByPhone, 50),
        percentile(ctlByPhone, 99), percentile(ctlByMember, 50), percentile(ctlByMember, 99));
    std::printf(
        "status, 20 each:\n"
        "  lojalctl status, wall (process start, config, token, request, table): p50 %6.1f ms  "
        "p99 %6.1f ms\n"
        "  GET /v1/status on a new connection (what curl does):                  p50 %6.1f ms  "
        "p99 %6.1f ms\n",
        percentile(ctlStatus, 50), percentile(ctlStatus, 99), percentile(curlStatus, 50),
        percentile(curlStatus, 99));
    return 0;
}
