#pragma once
// The central CRM for tests: a real HTTP server on loopback speaking
// docs/CRM-PROTOCOL.md. It stores receipts by receipt_id (so a resend is counted
// as a duplicate, not stored twice) and injects faults on command.

#include <Poco/Net/HTTPServer.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace lojal::test {

class TestCrm {
  public:
    TestCrm();
    ~TestCrm();
    std::string url() const;

    // The next `count` batch requests get this answer instead of results.
    void failNext(int count, int status, const std::string& body = "{\"error\":\"injected\"}",
                  const std::string& retryAfter = "");
    // Receipts whose id starts with prefix are answered "rejected".
    void rejectIdsStartingWith(const std::string& prefix);

    size_t stored();      // distinct receipts
    size_t duplicates();  // resends of stored ones
    size_t batches();     // batch requests, faults included
    int timesStored(const std::string& receiptId);
    std::string lastApiKey();
    bool waitForStored(size_t count, std::chrono::milliseconds timeout);

    struct State;

  private:
    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace lojal::test
