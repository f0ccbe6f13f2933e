#pragma once
// Voyado Engage as far as lojald uses it, for tests: a real HTTP server on
// loopback. POST /api/v2/receipts stores by uniqueReceiptId and ignores a known
// one (as Voyado documents); contacts by id and by mobile phone; the change
// feed of deleted contacts. It checks the headers Voyado requires (apikey,
// User-Agent, Content-Type: application/json) and answers like Voyado when they
// are missing, and it records when each request came.

#include <Poco/Net/HTTPServer.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lojal::test {

class FakeVoyado {
  public:
    explicit FakeVoyado(std::string apiKey);
    ~FakeVoyado();
    std::string url() const;

    void putContact(const std::string& id, const std::string& mobilePhone, int bonusPoints);
    void deleteContact(const std::string& id);  // and list it as Deleted
    // The next count receipt requests get 503 with Retry-After: 1.
    void failNextReceipts(int count);

    // POST /api/v2/contacts: 201 with the new id, 409 for a known mobilePhone;
    // contactRequests counts creates and updates.
    std::string createdContactJson(const std::string& mobilePhone);
    size_t contactRequests();
    bool waitForContactRequests(size_t count, std::chrono::milliseconds timeout);

    // POST /api/v2/contacts/{id} (a returning customer's consents): the last body.
    std::string contactUpdateJson(const std::string& id);
    // The next id lookup of this number answers 404 although the contact exists
    // (another store creates it between lojald's lookup and create).
    void hideFromNextLookup(const std::string& mobilePhone);
    // A known uniqueReceiptId is ignored; answered 202, or this status (409).
    void answerKnownReceiptsWith(int status);
    void storeReceipt(const std::string& uniqueReceiptId);
    // The tenant's consent ids: a contact with another one gets 400.
    void setConsentIds(const std::set<std::string>& ids);
    // DELETE /api/v2/contacts/{id} (an erasure): "ID source=SOURCE" each.
    std::vector<std::string> deletedByApi();
    bool waitForDeletes(size_t count, std::chrono::milliseconds timeout);

    size_t receiptsStored();
    size_t receiptRequests();
    std::string receiptBody(const std::string& uniqueReceiptId);
    std::map<std::string, std::string> lastHeaders();
    std::vector<std::chrono::steady_clock::time_point> receiptRequestTimes();
    std::vector<std::string> changeQueries();
    bool waitForReceipts(size_t count, std::chrono::milliseconds timeout);

    struct State;

  private:
    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace lojal::test
