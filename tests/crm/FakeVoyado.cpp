#include "FakeVoyado.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>

namespace lojal::test {

struct FakeVoyado::State {
    std::mutex mutex;
    std::condition_variable changed;
    std::string apiKey;
    std::map<std::string, std::string> receipts;  // uniqueReceiptId -> body
    size_t receiptRequests = 0;
    std::vector<std::chrono::steady_clock::time_point> receiptTimes;
    std::map<std::string, std::pair<std::string, int>> contacts;  // id -> (phone, points)
    std::vector<std::string> deleted;
    std::vector<std::string> deletedByApi;  // DELETE /api/v2/contacts/{id}, with its source header
    std::map<std::string, std::string> created;  // mobilePhone -> JSON posted
    size_t contactRequests = 0;
    std::vector<std::string> changeQueries;
    std::map<std::string, std::string> lastHeaders;
    int failReceipts = 0;
    int knownReceiptStatus = 202;                // what a known uniqueReceiptId gets
    std::set<std::string> consentIds;            // the tenant's; empty: any accepted
    std::map<std::string, std::string> updates;  // contact id -> last update JSON
    std::set<std::string> hiddenOnce;            // phones the next id lookup misses
};

namespace {

void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& body,
            const std::string& retryAfter = "") {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json; charset=utf-8");
    if (!retryAfter.empty()) response.set("Retry-After", retryAfter);
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
}

class VoyadoHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit VoyadoHandler(std::shared_ptr<FakeVoyado::State> state) : state_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        const Poco::URI uri(request.getURI());
        const std::string path = uri.getPath();
        std::unique_lock lock(state_->mutex);
        state_->lastHeaders.clear();
        for (const auto& [name, value] : request) state_->lastHeaders[name] = value;
        if (request.get("apikey", "") != state_->apiKey) return answer(response, 401, "{}");
        if (request.get("Content-Type", "").rfind("application/json", 0) != 0 ||
            request.get("User-Agent", "").empty()) {
            return answer(response, 500, "{\"message\":\"An error has occurred.\"}");
        }
        if (path == "/api/v2/receipts" && request.getMethod() == "POST") {
            ++state_->receiptRequests;
            state_->receiptTimes.push_back(std::chrono::steady_clock::now());
            if (state_->failReceipts > 0) {
                --state_->failReceipts;
                return answer(response, 503, "{}", "1");
            }
            Poco::JSON::Parser parser;
            const auto receipt = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
            const std::string id = receipt->optValue<std::string>("uniqueReceiptId", "");
            if (id.empty()) return answer(response, 400, "{\"message\":\"uniqueReceiptId\"}");
            // "Introduction to receipts": a known uniqueReceiptId is ignored. Tenants
            // differ in how they say so; knownReceiptStatus plays a 409 one.
            const bool known = !state_->receipts.emplace(id, body).second;
            const int status = known ? state_->knownReceiptStatus : 202;
            lock.unlock();
            state_->changed.notify_all();
            return answer(response, status,
                          known && status == 409 ? "{\"message\":\"Receipt already exists\"}" : "");
        }
        if (path == "/api/v2/contacts" && request.getMethod() == "POST") {
            ++state_->contactRequests;
            Poco::JSON::Parser parser;
            const auto contact = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
            const std::string phone = contact->optValue<std::string>("mobilePhone", "");
            // Consent ids are made per tenant ("Consents"): an unknown one is refused.
            if (const auto consents = contact->getArray("consents");
                consents && !state_->consentIds.empty()) {
                for (size_t i = 0; i < consents->size(); ++i) {
                    const std::string consentId = consents->getObject(static_cast<unsigned>(i))
                                                      ->optValue<std::string>("id", "");
                    if (!state_->consentIds.count(consentId))
                        return answer(response, 400,
                                      "{\"message\":\"Unknown consent id '" + consentId + "'\"}");
                }
            }
            bool known = state_->created.count(phone) > 0;
            for (const auto& entry : state_->contacts) known = known || entry.second.first == phone;
            const std::string id = "new-" + phone.substr(1);
            if (!known) {
                state_->created[phone] = body;
                state_->contacts[id] = {phone, 0};  // found by phone from now on
            }
            lock.unlock();
            state_->changed.notify_all();
            if (known) return answer(response, 409, "{\"message\":\"Contact already exists\"}");
            return answer(response, 201, "{\"id\":\"" + id + "\"}");
        }
        if (path == "/api/v2/contacts/id") {
            const std::string phone = queryValue(uri, "mobilePhone");
            if (state_->hiddenOnce.erase(phone))  // another store creates it right now
                return answer(response, 404, "{\"message\":\"Contact not found\"}");
            for (const auto& [id, contact] : state_->contacts) {
                if (contact.first == phone) return answer(response, 200, "\"" + id + "\"");
            }
            return answer(response, 404, "{\"message\":\"Contact not found\"}");
        }
        if (path == "/api/v2/contacts/changes") {
            state_->changeQueries.push_back(uri.getRawQuery());
            lock.unlock();
            state_->changed.notify_all();
            lock.lock();
            Poco::JSON::Array ids;
            if (queryValue(uri, "changeType") == "Deleted") {
                for (const auto& id : state_->deleted) ids.add(id);
            }
            std::ostringstream out;
            ids.stringify(out);
            return answer(response, 200, out.str());
        }
        // Point-account API: GET /api/v2/point-accounts?contactId= answers a page of
        // PointAccountModel (pointAccountPointAccountGet2 in the generated client).
        if (path == "/api/v2/point-accounts" && request.getMethod() == "GET") {
            const auto found = state_->contacts.find(queryValue(uri, "contactId"));
            if (found == state_->contacts.end())
                return answer(response, 200,
                              "{\"items\":[],\"totalCount\":0,\"offset\":0,\"count\":0}");
            return answer(
                response, 200,
                "{\"items\":[{\"id\":7,\"contactId\":\"" + found->first +
                    "\",\"definitionId\":1,\"balance\":" + std::to_string(found->second.second) +
                    ",\"pendingPoints\":0}],\"totalCount\":1,\"offset\":0,\"count\":1}");
        }
        const std::string prefix = "/api/v2/contacts/";
        // "Update one or several fields of a single contact" (POST /api/v2/contacts/{id}).
        if (path.rfind(prefix, 0) == 0 && request.getMethod() == "POST") {
            const std::string id = path.substr(prefix.size());
            if (!state_->contacts.count(id)) return answer(response, 404, "{}");
            state_->updates[id] = body;
            ++state_->contactRequests;
            lock.unlock();
            state_->changed.notify_all();
            return answer(response, 200, "{\"id\":\"" + id + "\"}");
        }
        if (path.rfind(prefix, 0) == 0 && request.getMethod() == "DELETE") {
            const auto found = state_->contacts.find(path.substr(prefix.size()));
            if (found == state_->contacts.end()) return answer(response, 404, "{}");
            state_->deletedByApi.push_back(found->first + " source=" + request.get("source", ""));
            state_->contacts.erase(found);
            lock.unlock();
            state_->changed.notify_all();
            return answer(response, 204, "");
        }
        if (path.rfind(prefix, 0) == 0) {
            const auto found = state_->contacts.find(path.substr(prefix.size()));
            if (found == state_->contacts.end()) return answer(response, 404, "{}");
            // No points on the contact: they live in its point account (below).
            return answer(response, 200,
                          "{\"id\":\"" + found->first + "\",\"attributes\":{\"mobilePhone\":\"" +
                              found->second.first + "\",\"firstName\":\"Anna\"}}");
        }
        answer(response, 404, "{}");
    }

  private:
    static std::string queryValue(const Poco::URI& uri, const std::string& name) {
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key == name) return value;
        }
        return "";
    }
    std::shared_ptr<FakeVoyado::State> state_;
};

class VoyadoFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit VoyadoFactory(std::shared_ptr<FakeVoyado::State> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new VoyadoHandler(state_);
    }

  private:
    std::shared_ptr<FakeVoyado::State> state_;
};

}  // namespace

FakeVoyado::FakeVoyado(std::string apiKey) : state_(std::make_shared<State>()) {
    state_->apiKey = std::move(apiKey);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new VoyadoFactory(state_), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
}

FakeVoyado::~FakeVoyado() {
    server_->stopAll(true);
}

std::string FakeVoyado::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeVoyado::putContact(const std::string& id, const std::string& mobilePhone,
                            int bonusPoints) {
    std::lock_guard lock(state_->mutex);
    state_->contacts[id] = {mobilePhone, bonusPoints};
}

void FakeVoyado::deleteContact(const std::string& id) {
    std::lock_guard lock(state_->mutex);
    state_->contacts.erase(id);
    state_->deleted.push_back(id);
}

void FakeVoyado::failNextReceipts(int count) {
    std::lock_guard lock(state_->mutex);
    state_->failReceipts = count;
}

std::string FakeVoyado::createdContactJson(const std::string& mobilePhone) {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->created.find(mobilePhone);
    return found == state_->created.end() ? "" : found->second;
}

size_t FakeVoyado::contactRequests() {
    std::lock_guard lock(state_->mutex);
    return state_->contactRequests;
}

bool FakeVoyado::waitForContactRequests(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->contactRequests >= count; });
}

size_t FakeVoyado::receiptsStored() {
    std::lock_guard lock(state_->mutex);
    return state_->receipts.size();
}

size_t FakeVoyado::receiptRequests() {
    std::lock_guard lock(state_->mutex);
    return state_->receiptRequests;
}

std::string FakeVoyado::receiptBody(const std::string& uniqueReceiptId) {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->receipts.find(uniqueReceiptId);
    return found == state_->receipts.end() ? "" : found->second;
}

std::map<std::string, std::string> FakeVoyado::lastHeaders() {
    std::lock_guard lock(state_->mutex);
    return state_->lastHeaders;
}

std::vector<std::chrono::steady_clock::time_point> FakeVoyado::receiptRequestTimes() {
    std::lock_guard lock(state_->mutex);
    return state_->receiptTimes;
}

std::vector<std::string> FakeVoyado::changeQueries() {
    std::lock_guard lock(state_->mutex);
    return state_->changeQueries;
}

bool FakeVoyado::waitForReceipts(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->receipts.size() >= count; });
}

std::vector<std::string> FakeVoyado::deletedByApi() {
    std::lock_guard lock(state_->mutex);
    return state_->deletedByApi;
}

bool FakeVoyado::waitForDeletes(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->deletedByApi.size() >= count; });
}

void FakeVoyado::answerKnownReceiptsWith(int status) {
    std::lock_guard lock(state_->mutex);
    state_->knownReceiptStatus = status;
}

void FakeVoyado::setConsentIds(const std::set<std::string>& ids) {
    std::lock_guard lock(state_->mutex);
    state_->consentIds = ids;
}

void FakeVoyado::storeReceipt(const std::string& uniqueReceiptId) {
    std::lock_guard lock(state_->mutex);
    state_->receipts.emplace(uniqueReceiptId, "{}");
}

std::string FakeVoyado::contactUpdateJson(const std::string& id) {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->updates.find(id);
    return found == state_->updates.end() ? "" : found->second;
}

void FakeVoyado::hideFromNextLookup(const std::string& mobilePhone) {
    std::lock_guard lock(state_->mutex);
    state_->hiddenOnce.insert(mobilePhone);
}

}  // namespace lojal::test
