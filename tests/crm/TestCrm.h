#pragma once
// The central CRM for tests: a real HTTP server on loopback speaking
// docs/CRM-PROTOCOL.md. It stores receipts by receipt_id (so a resend is counted
// as a duplicate, not stored twice) and injects faults on command.

#include <Poco/Net/HTTPServer.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lojal::test {

// Files for a TLS test CRM: its certificate and key, and the CA whose client
// certificates it demands (empty: no client certificate asked for).
struct TlsServerFiles {
    std::string certFile;
    std::string keyFile;
    std::string clientCaFile;
};

class TestCrm {
  public:
    TestCrm();
    explicit TestCrm(const TlsServerFiles& tls);  // https, optionally with mTLS
    ~TestCrm();
    std::string url() const;

    struct Fault {
        enum class Kind {
            none,
            status,         // answer `status` with `body` (and Retry-After) instead of results
            slow,           // wait delayMs, then answer normally
            reset,          // drop the connection (TCP RST) before storing anything
            acceptThenDie,  // store the batch, then drop the connection without an answer
        } kind = Kind::none;
        int status = 500;
        std::string body = "{\"error\":\"injected\"}";
        std::string retryAfter;
        int delayMs = 0;
    };
    static Fault statusFault(int status, const std::string& body = "{\"error\":\"injected\"}",
                             const std::string& retryAfter = "");

    // The next `count` batch requests get this fault.
    void injectNext(int count, const Fault& fault);
    void failNext(int count, int status, const std::string& body = "{\"error\":\"injected\"}",
                  const std::string& retryAfter = "");
    // A flapping CRM: from now on each batch request, with this probability, gets
    // one of: 500, 503 + Retry-After 1, 429 + Retry-After 1, garbage with a 200,
    // a slow answer, a reset, or accept-then-die; chosen by a seeded generator so
    // a failing run can be repeated. probability 0 ends it.
    void flap(double probability, uint64_t seed);
    // Receipts whose id starts with prefix are answered "rejected".
    void rejectIdsStartingWith(const std::string& prefix);

    // Members (docs/CRM-PROTOCOL.md "Members"): each change is also appended to
    // the feed GET /v1/members/changes pages through.
    void putMember(const std::string& id, const std::string& phone,
                   const std::vector<std::string>& cardTokens, const std::string& tier, int points);
    void eraseMember(const std::string& id);
    void putOffer(const std::string& id, const std::string& title, const std::string& tier);
    // Member endpoints answer after delayMs, or 503 while down.
    void setMemberDelay(int delayMs);
    void setMembersDown(bool down);
    size_t memberLookups();
    size_t changeRequests();
    bool waitForChangeRequests(size_t count, std::chrono::milliseconds timeout);

    // Sign-ups (POST /v1/signups/batch), stored by signup_id with their JSON.
    size_t signupsStored();
    std::string signupJson(const std::string& signupId);
    bool waitForSignups(size_t count, std::chrono::milliseconds timeout);

    // Sign-up and erasure batches answer 503 while down (receipts: failNext).
    // Erasures (POST /v1/erasures/batch) as JSON, by erasure_id.
    void setSignupsAndErasuresDown(bool down);
    std::vector<std::string> erasures();
    bool waitForErasures(size_t count, std::chrono::milliseconds timeout);

    size_t stored();      // distinct receipts
    size_t duplicates();  // resends of stored ones
    size_t batches();     // batch requests, faults included
    size_t faults();      // of which got a fault
    int timesStored(const std::string& receiptId);
    std::vector<std::string> storedIds();
    std::vector<std::string> arrivalOrder();  // receipt ids in the order first stored
    std::string lastApiKey();
    bool waitForStored(size_t count, std::chrono::milliseconds timeout);

    struct State;

  private:
    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
    bool tls_ = false;
};

}  // namespace lojal::test
