// Receipt benchmark: ingest rate with 8 concurrent POS clients at full durability,
// beside a plain sqlite3 insert loop at the same durability (WAL, synchronous=FULL,
// one transaction per row), as a ratio; then the drain of the backlog to the test
// CRM and lojald's peak RSS during it. Prints figures; asserts nothing.
//
//   receipt-bench [RECEIPTS]      (default 100000, as the receipts issue asks)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "LojaldProcess.h"
#include "TestCrm.h"

using namespace lojal::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string receipt(int n) {
    return R"({"receipt_id":"bench-)" + std::to_string(n) +
           R"(","store_id":"SE-0042","register_id":"R)" + std::to_string(n % 8) +
           R"(","cashier_id":"C17","time":"2026-11-23T14:05:09+01:00","currency":"SEK",
 "lines":[{"gtin":"07310865071811","description":"Kaffe 450 g","quantity":2,"unit_price":"54.90","vat_rate":"12","total":"109.80"},
          {"sku":"BAG-1","description":"Bärkasse","quantity":1,"unit_price":"7.00","vat_rate":"25","total":"7.00"}],
 "total":"116.80","vat":[{"rate":"12","amount":"11.76"},{"rate":"25","amount":"1.40"}],
 "payments":[{"method":"card","amount":"116.80"}]})";
}

double ingest(int port, int total) {
    std::atomic<int> next{0}, refused{0};
    const auto start = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
        clients.emplace_back([&] {
            Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
            for (int n = next++; n < total; n = next++) {
                if (postOnSession(session, "/v1/receipts", receipt(n)) != 202) ++refused;
            }
        });
    }
    for (auto& client : clients) client.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (refused > 0) std::printf("  (%d receipts not answered 202)\n", refused.load());
    return total / seconds;
}

double plainSqlite(const std::string& path, int rows) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE r (id TEXT "
                 "PRIMARY KEY, body TEXT)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO r VALUES (?1, ?2)", -1, &insert, nullptr);
    const auto start = Clock::now();
    for (int n = 0; n < rows; ++n) {
        const std::string id = "plain-" + std::to_string(n);
        const std::string body = receipt(n);
        sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, body.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_step(insert);
        sqlite3_reset(insert);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return rows / seconds;
}

long peakRssKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int total = argc > 1 ? std::atoi(argv[1]) : 100000;
    TempDir dir;
    const int port = freePort();
    const double plain = plainSqlite(dir.file("plain.db"), std::min(total, 5000));
    {
        LojaldProcess lojald({"--config", writeTestConfig(dir, port)}, dir.path());
        if (!lojald.waitUntilReady()) return 1;
        httpRequest(port, "PUT", "/v1/log-level", kAdminToken, "{\"level\":\"warning\"}");
        const double rate = ingest(port, total);
        std::printf("receipt ingest, 8 clients, synchronous=FULL + group commit: %.0f receipts/s\n",
                    rate);
        std::printf(
            "plain sqlite3 loop, one fsync'd transaction per row:       %.0f rows/s  (lojald = "
            "%.1f x)\n",
            plain, rate / plain);
        lojald.signal(SIGTERM);
        lojald.waitForExit();
    }
    TestCrm crm;
    LojaldProcess lojald({"--config", writeTestConfig(dir, port,
                                                      "[crm]\nsync = on\nurl = " + crm.url() +
                                                          "\napi_key = k\nbatch_size = 500\n")},
                         dir.path());
    const auto start = Clock::now();
    if (!lojald.waitUntilReady()) return 1;
    if (!crm.waitForStored(static_cast<size_t>(total), std::chrono::minutes(5))) {
        std::printf("drain: only %zu of %d reached the CRM\n", crm.stored(), total);
        return 1;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "drain of a %d-receipt backlog to the test CRM (batches of 500): %.0f receipts/s, peak RSS "
        "%ld KiB\n",
        total, total / seconds, peakRssKib(lojald.pid()));
    return 0;
}
