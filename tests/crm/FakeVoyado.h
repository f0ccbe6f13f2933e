#pragma once
// Voyado Engage as far as lojald uses it, for tests: a real HTTP server on
// loopback, as strict as Voyado's public documentation (each rule in
// FakeVoyado.cpp names its page). Receipts (v2), contacts in v2 and v3 (create,
// find by phone, update, delete), point accounts, the change feed of deleted
// contacts; the headers Voyado requires; a request limit per API key with 429
// above it. It records what came and when.

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

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
    // A contact's promotion (an ApiPromotionModel) and voucher (an
    // AvailableBonusCheckModel), as JSON objects.
    void putPromotion(const std::string& contactId, const std::string& promotionJson);
    void putVoucher(const std::string& contactId, const std::string& voucherJson);
    // While offline every request gets 503 (a WAN outage seen from the store).
    void setOffline(bool offline);
    // Requests per second per API key above which Voyado answers 429 ("API rate
    // limit": 200/s; tests may hold the fake to the recommended 50/s).
    void setRateLimit(int perSecond);
    size_t tooManyRequestsAnswered();
    std::vector<std::chrono::steady_clock::time_point> tooManyRequestsAt(const std::string& path);
    // The most requests any one-second window saw, per key, since the last reset.
    size_t busiestSecond();
    void resetRequestStats();
    // The tenant's contact types and the fields each requires ("Create contact":
    // the mandatory fields of your contact type). Default: Member and Contact,
    // Member requiring mobilePhone and countryCode.
    void setContactType(const std::string& type, const std::set<std::string>& requiredFields);
    // A create for a known mobile phone answers 409 (default) or this status with
    // the existing id ("returns the GUID of the first entry found").
    void answerExistingContactsWith(int status);
    // The tenant has no change feed: GET contacts/changes is refused.
    void disableChangeFeed();
    // The headers (v2) or query parameters (v3) of the last create:
    // "source=...;storeExternalId=...".
    std::string lastCreateSource();
    // Every request as "METHOD /path", in order.
    std::vector<std::string> requests();
    // The last request refused for its content: "STATUS PATH BODY".
    std::string lastRefusal();

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
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace lojal::test
