#include "FakeVoyado.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
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
    std::vector<std::string> deletedByApi;       // DELETE .../contacts/{id}, with its source header
    std::map<std::string, std::string> created;  // mobilePhone -> JSON posted
    size_t contactRequests = 0;
    std::vector<std::string> changeQueries;
    std::map<std::string, std::string> lastHeaders;
    int failReceipts = 0;
    bool offline = false;
    int knownReceiptStatus = 202;                // what a known uniqueReceiptId gets
    int existingContactStatus = 409;             // what a create of a known phone gets
    std::set<std::string> consentIds;            // the tenant's; empty: any accepted
    std::map<std::string, std::string> updates;  // contact id -> last update JSON
    std::set<std::string> hiddenOnce;            // phones the next id lookup misses
    std::map<std::string, std::set<std::string>> contactTypes = {
        {"Member", {"mobilePhone", "countryCode"}}, {"Contact", {}}};
    bool changeFeed = true;
    std::string lastCreateSource;
    std::string lastRefusal;
    std::vector<std::string> requests;  // "METHOD /path", in order
    // The per-key request limit: the times of the last second's requests.
    int limitPerSecond = 200;
    std::deque<std::chrono::steady_clock::time_point> lastSecond;
    std::map<std::string, std::vector<std::string>> promotions;  // contact id -> ApiPromotionModel
    std::map<std::string, std::vector<std::string>> vouchers;    // -> AvailableBonusCheckModel
    size_t busiestSecond = 0;
    size_t tooMany = 0;
    std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> tooManyAt;
};

namespace {

using Poco::JSON::Object;

void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& body,
            const std::string& retryAfter = "") {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json; charset=utf-8");
    if (!retryAfter.empty()) response.set("Retry-After", retryAfter);
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
}

// A refusal naming the fields, in the shape of ASP.NET model validation, which
// Voyado's API is built on (its 500 answer is ASP.NET's "An error has
// occurred."). A real tenant's exact wording is on CRM-PROTOCOL's checklist.
std::string invalidModel(const std::string& errorCode, const std::string& field,
                         const std::string& why) {
    Object state;
    Poco::JSON::Array reasons;
    reasons.add(why);
    state.set(field, reasons);
    Object error;
    error.set("message", "The request is invalid.");
    error.set("errorCode", errorCode);
    error.set("modelState", state);
    std::ostringstream out;
    error.stringify(out);
    return out.str();
}

std::string message(const std::string& errorCode, const std::string& text) {
    return "{\"errorCode\":\"" + errorCode + "\",\"message\":\"" + text + "\"}";
}

bool isE164(const std::string& phone) {
    return phone.size() >= 8 && phone.size() <= 16 && phone[0] == '+' && phone[1] != '0' &&
           std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ISO 8601 with a time zone designator ("Receipts - field definitions": local
// time with an offset): 2026-11-23T14:05:09+01:00 or ...Z.
bool isDateTimeWithZone(const std::string& text) {
    if (text.size() < 20 || text[10] != 'T') return false;
    return text.back() == 'Z' || text[text.size() - 6] == '+' || text[text.size() - 6] == '-';
}

// The first rule of "Receipts - field definitions" and of the ReceiptItem model
// of Voyado's OpenAPI file (Quantity int64, PackQuantity double) that the
// receipt breaks: {field, why}, or nothing.
std::optional<std::pair<std::string, std::string>> receiptProblem(const Object& receipt) {
    const auto contact = receipt.getObject("contact");
    if (!contact || contact->optValue<std::string>("matchKey", "").empty())
        return std::pair{"contact.matchKey", "The matchKey field is required."};
    static const std::set<std::string> keyTypes = {
        "contactId", "memberNumber", "socialSecurityNumber", "mobilePhone", "externalId", "email"};
    if (!keyTypes.count(contact->optValue<std::string>("matchKeyType", "")))
        return std::pair{"contact.matchKeyType", "Not a valid key type."};
    for (const char* field : {"uniqueReceiptId", "storeExternalId", "currency"}) {
        if (!receipt.has(field) || !receipt.get(field).isString() ||
            receipt.getValue<std::string>(field).empty())
            return std::pair{std::string(field), "The field is required."};
    }
    if (!isDateTimeWithZone(receipt.optValue<std::string>("createdDate", "")))
        return std::pair{"createdDate", "ISO 8601 with a time zone designator is required."};
    if (!receipt.has("totalGrossPrice") || !receipt.get("totalGrossPrice").isNumeric())
        return std::pair{"totalGrossPrice", "A decimal is required."};
    const auto payments = receipt.getArray("paymentMethods");
    if (!payments) return std::pair{"paymentMethods", "The field is required."};
    const auto items = receipt.getArray("items");
    if (!items || items->size() == 0) return std::pair{"items", "The field is required."};
    static const std::set<std::string> types = {"PURCHASE", "RETURN", "ADJUSTMENT"};
    for (size_t i = 0; i < items->size(); ++i) {
        const std::string at = "items[" + std::to_string(i) + "].";
        const auto item = items->getObject(static_cast<unsigned>(i));
        if (!item) return std::pair{at, "An object is required."};
        if (!types.count(item->optValue<std::string>("type", "")))
            return std::pair{at + "type", "PURCHASE, RETURN or ADJUSTMENT."};
        // Quantity is an integer in the OpenAPI file; weights go in packQuantity.
        if (!item->has("quantity") || !item->get("quantity").isInteger())
            return std::pair{at + "quantity", "An integer is required."};
        const auto quantity = item->getValue<Poco::Int64>("quantity");
        // "Register a return": the quantity of a RETURN is negative.
        if ((item->getValue<std::string>("type") == "RETURN") != (quantity < 0))
            return std::pair{at + "quantity", "Negative on a RETURN line only."};
        for (const char* field : {"grossPaidPrice", "taxAmount", "taxPercent"}) {
            if (!item->has(field) || !item->get(field).isNumeric())
                return std::pair{at + field, "A decimal is required."};
        }
        if (item->has("packQuantity") && !item->get("packQuantity").isNumeric())
            return std::pair{at + "packQuantity", "A decimal is required."};
        for (const char* field : {"sku", "articleNumber", "articleName"}) {
            if (!item->has(field) || !item->get(field).isString())
                return std::pair{at + field, "The field is required."};
        }
        if (const auto discounts = item->getArray("discounts")) {
            for (size_t d = 0; d < discounts->size(); ++d) {
                const auto discount = discounts->getObject(static_cast<unsigned>(d));
                if (!discount || !discount->has("value") || !discount->get("value").isNumeric())
                    return std::pair{at + "discounts[" + std::to_string(d) + "].value",
                                     "A decimal is required."};
            }
        }
    }
    return std::nullopt;
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
        const std::string method = request.getMethod();
        std::unique_lock lock(state_->mutex);
        state_->lastHeaders.clear();
        for (const auto& [name, value] : request) state_->lastHeaders[name] = value;
        state_->requests.push_back(method + " " + path);
        if (state_->offline) return answer(response, 503, "{}");
        if (request.get("apikey", "") != state_->apiKey) return answer(response, 401, "{}");
        // "API rate limit": measured per API key; above the limit, 429.
        if (overLimit()) {
            state_->tooManyAt.emplace_back(std::chrono::steady_clock::now(), path);
            return answer(response, 429, message("TooManyRequests", "Slow down"));
        }
        if (request.get("Content-Type", "").rfind("application/json", 0) != 0 ||
            request.get("User-Agent", "").empty()) {
            return answer(response, 500, "{\"message\":\"An error has occurred.\"}");
        }
        Object::Ptr json;
        if (!body.empty()) {
            try {
                Poco::JSON::Parser parser;
                json = parser.parse(body).extract<Object::Ptr>();
            } catch (const Poco::Exception&) {
                return answer(response, 400, message("InvalidJson", "The body is not JSON"));
            }
        }
        if (path == "/api/v2/receipts" && method == "POST")
            return receipt(lock, response, json, body);
        for (const std::string version : {"v2", "v3"}) {
            const std::string contacts = "/api/" + version + "/contacts";
            const bool v3 = version == "v3";
            if (path == contacts && method == "POST")
                return createContact(lock, request, uri, response, json, body, v3);
            if (path == contacts + "/id" && method == "GET") return findContact(uri, response);
            if (path == "/api/" + version + "/point-accounts" && method == "GET")
                return pointAccounts(uri, response);
            if (path.rfind(contacts + "/", 0) == 0 && path != contacts + "/changes") {
                const std::string rest = path.substr(contacts.size() + 1);
                const auto slash = rest.find('/');
                if (slash == std::string::npos)
                    return contact(lock, request, response, rest, body, v3);
                if (!v3 && method == "GET")
                    return offers(uri, response, rest.substr(0, slash), rest.substr(slash));
                return answer(response, 404, "{}");
            }
        }
        if (path == "/api/v2/contacts/changes") return changes(lock, uri, response);
        answer(response, 404, "{}");
    }

  private:
    bool overLimit() {
        const auto now = std::chrono::steady_clock::now();
        auto& window = state_->lastSecond;
        while (!window.empty() && now - window.front() >= std::chrono::seconds(1))
            window.pop_front();
        if (static_cast<int>(window.size()) >= state_->limitPerSecond) {
            ++state_->tooMany;
            return true;
        }
        window.push_back(now);
        state_->busiestSecond = std::max(state_->busiestSecond, window.size());
        return false;
    }

    void refuse(Poco::Net::HTTPServerResponse& response, int status, const std::string& path,
                const std::string& text) {
        state_->lastRefusal = std::to_string(status) + " " + path + " " + text;
        answer(response, status, text);
    }

    void receipt(std::unique_lock<std::mutex>& lock, Poco::Net::HTTPServerResponse& response,
                 const Object::Ptr& json, const std::string& body) {
        ++state_->receiptRequests;
        state_->receiptTimes.push_back(std::chrono::steady_clock::now());
        if (state_->failReceipts > 0) {
            --state_->failReceipts;
            return answer(response, 503, "{}", "1");
        }
        if (!json) return refuse(response, 400, "receipts", message("InvalidModel", "No body"));
        if (const auto problem = receiptProblem(*json))
            return refuse(response, 400, "receipts",
                          invalidModel("InvalidModel", problem->first, problem->second));
        const std::string id = json->getValue<std::string>("uniqueReceiptId");
        // "Receipts - field definitions": a known uniqueReceiptId is a duplicate
        // and ignored. Tenants differ in how they say so; knownReceiptStatus plays
        // a 409 one.
        const bool known = !state_->receipts.emplace(id, body).second;
        const int status = known ? state_->knownReceiptStatus : 202;
        lock.unlock();
        state_->changed.notify_all();
        answer(response, status,
               known && status == 409 ? message("ReceiptAlreadyExists", "Receipt already exists")
                                      : "");
    }

    // "Create contact" (POST /api/v2|v3/contacts): source and storeExternalId as
    // headers in v2, in the query string in v3 (headers ignored there);
    // contactType must exist in the tenant (default Member) and the type's
    // mandatory fields must be there; consent ids are made per tenant.
    void createContact(std::unique_lock<std::mutex>& lock, Poco::Net::HTTPServerRequest& request,
                       const Poco::URI& uri, Poco::Net::HTTPServerResponse& response,
                       const Object::Ptr& json, const std::string& body, bool v3) {
        ++state_->contactRequests;
        if (!json) return refuse(response, 400, "contacts", message("InvalidModel", "No body"));
        const std::string type = json->optValue<std::string>("contactType", "Member");
        const auto found = state_->contactTypes.find(type);
        if (found == state_->contactTypes.end())
            return refuse(
                response, 400, "contacts",
                invalidModel("InvalidContactType", "contactType", "Unknown contact type."));
        for (const std::string& field : found->second) {
            if (json->optValue<std::string>(field, "").empty())
                return refuse(response, 400, "contacts",
                              invalidModel("InvalidModel", field, "The field is required."));
        }
        const std::string phone = json->optValue<std::string>("mobilePhone", "");
        if (!phone.empty() && !isE164(phone))
            return refuse(response, 400, "contacts",
                          invalidModel("InvalidPhoneNumber", "mobilePhone", "Not a phone number."));
        if (const auto problem = consentProblem(*json))
            return refuse(response, 400, "contacts", *problem);
        state_->lastCreateSource =
            v3 ? "source=" + queryValue(uri, "source") +
                     ";storeExternalId=" + queryValue(uri, "storeExternalId")
               : "source=" + request.get("source", "") +
                     ";storeExternalId=" + request.get("storeExternalId", "");
        std::string existing;
        for (const auto& [id, contact] : state_->contacts)
            if (contact.first == phone) existing = id;
        if (!existing.empty()) {
            if (state_->existingContactStatus == 409)
                return answer(response, 409, message("ContactAlreadyExists", "Contact exists"));
            return answer(response, state_->existingContactStatus, "{\"id\":\"" + existing + "\"}");
        }
        const std::string id = "new-" + phone.substr(1);
        state_->created[phone] = body;
        state_->contacts[id] = {phone, 0};  // found by phone from now on
        lock.unlock();
        state_->changed.notify_all();
        answer(response, 201, "{\"id\":\"" + id + "\"}");
    }

    std::optional<std::string> consentProblem(const Object& contact) {
        const auto consents = contact.getArray("consents");
        if (!consents || state_->consentIds.empty()) return std::nullopt;
        for (size_t i = 0; i < consents->size(); ++i) {
            const auto consent = consents->getObject(static_cast<unsigned>(i));
            const std::string id = consent ? consent->optValue<std::string>("id", "") : "";
            if (!state_->consentIds.count(id))
                return invalidModel("InvalidConsent", "consents[" + std::to_string(i) + "].id",
                                    "Unknown consent id '" + id + "'.");
        }
        return std::nullopt;
    }

    // "Find contact": 200 with the id, 400 InvalidPhoneNumber, 404
    // ContactNotFound, 409 MultipleMatches.
    void findContact(const Poco::URI& uri, Poco::Net::HTTPServerResponse& response) {
        const std::string phone = queryValue(uri, "mobilePhone");
        if (!isE164(phone))
            return refuse(response, 400, "contacts/id",
                          message("InvalidPhoneNumber", "Not a phone number"));
        if (state_->hiddenOnce.erase(phone))  // another store creates it right now
            return answer(response, 404, message("ContactNotFound", "Contact not found"));
        std::vector<std::string> ids;
        for (const auto& [id, contact] : state_->contacts)
            if (contact.first == phone) ids.push_back(id);
        if (ids.size() > 1)
            return answer(response, 409, message("MultipleMatches", "Multiple matches"));
        if (ids.empty())
            return answer(response, 404, message("ContactNotFound", "Contact not found"));
        answer(response, 200, "\"" + ids[0] + "\"");
    }

    // Point-account API: GET /api/v2|v3/point-accounts?contactId= answers a page
    // of PointAccountModel (pointAccountPointAccountGet2 in the generated client).
    void pointAccounts(const Poco::URI& uri, Poco::Net::HTTPServerResponse& response) {
        const auto found = state_->contacts.find(queryValue(uri, "contactId"));
        if (found == state_->contacts.end())
            return answer(response, 200,
                          "{\"items\":[],\"totalCount\":0,\"offset\":0,\"count\":0}");
        answer(response, 200,
               "{\"items\":[{\"id\":7,\"contactId\":\"" + found->first +
                   "\",\"definitionId\":1,\"balance\":" + std::to_string(found->second.second) +
                   ",\"pendingPoints\":0}],\"totalCount\":1,\"offset\":0,\"count\":1}");
    }

    // One contact: GET (its attributes; no points, they live in the point
    // account), the update ("Update contact": POST in v2, PATCH in v3, only the
    // fields that change), DELETE (contactsVDeleteWithHeaderParam, optional
    // source header).
    void contact(std::unique_lock<std::mutex>& lock, Poco::Net::HTTPServerRequest& request,
                 Poco::Net::HTTPServerResponse& response, const std::string& id,
                 const std::string& body, bool v3) {
        const std::string method = request.getMethod();
        const auto found = state_->contacts.find(id);
        if (method == "GET") {
            if (found == state_->contacts.end())
                return answer(response, 404, message("ContactNotFound", "Contact not found"));
            return answer(response, 200,
                          "{\"id\":\"" + found->first + "\",\"attributes\":{\"mobilePhone\":\"" +
                              found->second.first + "\",\"firstName\":\"Anna\"}}");
        }
        if (method == (v3 ? "PATCH" : "POST")) {
            if (found == state_->contacts.end())
                return answer(response, 404, message("ContactNotFound", "Contact not found"));
            Poco::JSON::Parser parser;
            if (const auto problem = consentProblem(*parser.parse(body).extract<Object::Ptr>()))
                return refuse(response, 400, "contacts/{id}", *problem);
            state_->updates[id] = body;
            ++state_->contactRequests;
            lock.unlock();
            state_->changed.notify_all();
            return answer(response, 200, "{\"id\":\"" + id + "\"}");
        }
        if (method == "DELETE") {
            if (found == state_->contacts.end())
                return answer(response, 404, message("ContactNotFound", "Contact not found"));
            state_->deletedByApi.push_back(found->first + " source=" + request.get("source", ""));
            state_->contacts.erase(found);
            lock.unlock();
            state_->changed.notify_all();
            return answer(response, 204, "");
        }
        answer(response, 405, message("MethodNotAllowed", "Method not allowed"));
    }

    // OfferPromotions_GetPromotionsForContact: an array of ApiPromotionModel
    // (redemptionChannelType filters, POS here); BonusChecks_GetAvailableBonusChecks:
    // a page of AvailableBonusCheckModel without the expired and redeemed ones.
    void offers(const Poco::URI& uri, Poco::Net::HTTPServerResponse& response,
                const std::string& id, const std::string& what) {
        if (!state_->contacts.count(id))
            return answer(response, 404, message("ContactNotFound", "Contact not found"));
        const auto list = [](const std::vector<std::string>& items) {
            std::string out;
            for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
            return out;
        };
        if (what == "/promotions") {
            const std::string channel = queryValue(uri, "redemptionChannelType");
            if (!channel.empty() && channel != "POS" && channel != "ECOM" && channel != "OTHER")
                return answer(response, 400, message("InvalidModel", "redemptionChannelType"));
            return answer(response, 200, "[" + list(state_->promotions[id]) + "]");
        }
        if (what == "/bonuschecks/available") {
            const auto& items = state_->vouchers[id];
            return answer(response, 200,
                          "{\"items\":[" + list(items) +
                              "],\"totalCount\":" + std::to_string(items.size()) +
                              ",\"offset\":0,\"count\":" + std::to_string(items.size()) + "}");
        }
        answer(response, 404, "{}");
    }

    void changes(std::unique_lock<std::mutex>& lock, const Poco::URI& uri,
                 Poco::Net::HTTPServerResponse& response) {
        state_->changeQueries.push_back(uri.getRawQuery());
        if (!state_->changeFeed) {
            // Contact changes are switched on per tenant; the exact refusal of a
            // tenant without them is on CRM-PROTOCOL's checklist.
            return answer(response, 403,
                          message("FeatureNotEnabled", "Contact changes are not enabled"));
        }
        lock.unlock();
        state_->changed.notify_all();
        lock.lock();
        Poco::JSON::Array ids;
        if (queryValue(uri, "changeType") == "Deleted") {
            for (const auto& id : state_->deleted) ids.add(id);
        }
        std::ostringstream out;
        ids.stringify(out);
        answer(response, 200, out.str());
    }

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

FakeVoyado::FakeVoyado(std::string apiKey)
    : state_(std::make_shared<State>()), pool_(std::make_unique<Poco::ThreadPool>(2, 128)) {
    state_->apiKey = std::move(apiKey);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    // Enough threads for a chain of kept-alive daemons (the chain bench runs 50).
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(128);
    params->setMaxQueued(256);
    server_ =
        std::make_unique<Poco::Net::HTTPServer>(new VoyadoFactory(state_), *pool_, socket, params);
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

namespace lojal::test {

void FakeVoyado::putPromotion(const std::string& contactId, const std::string& promotionJson) {
    std::lock_guard lock(state_->mutex);
    state_->promotions[contactId].push_back(promotionJson);
}

void FakeVoyado::putVoucher(const std::string& contactId, const std::string& voucherJson) {
    std::lock_guard lock(state_->mutex);
    state_->vouchers[contactId].push_back(voucherJson);
}

std::vector<std::string> FakeVoyado::requests() {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

void FakeVoyado::setOffline(bool offline) {
    std::lock_guard lock(state_->mutex);
    state_->offline = offline;
}

void FakeVoyado::setRateLimit(int perSecond) {
    std::lock_guard lock(state_->mutex);
    state_->limitPerSecond = perSecond;
}

size_t FakeVoyado::tooManyRequestsAnswered() {
    std::lock_guard lock(state_->mutex);
    return state_->tooMany;
}

size_t FakeVoyado::busiestSecond() {
    std::lock_guard lock(state_->mutex);
    return state_->busiestSecond;
}

void FakeVoyado::resetRequestStats() {
    std::lock_guard lock(state_->mutex);
    state_->busiestSecond = 0;
    state_->tooMany = 0;
}

std::vector<std::chrono::steady_clock::time_point> FakeVoyado::tooManyRequestsAt(
    const std::string& path) {
    std::lock_guard lock(state_->mutex);
    std::vector<std::chrono::steady_clock::time_point> times;
    for (const auto& [when, refused] : state_->tooManyAt)
        if (refused == path) times.push_back(when);
    return times;
}

void FakeVoyado::setContactType(const std::string& type,
                                const std::set<std::string>& requiredFields) {
    std::lock_guard lock(state_->mutex);
    state_->contactTypes[type] = requiredFields;
}

void FakeVoyado::answerExistingContactsWith(int status) {
    std::lock_guard lock(state_->mutex);
    state_->existingContactStatus = status;
}

void FakeVoyado::disableChangeFeed() {
    std::lock_guard lock(state_->mutex);
    state_->changeFeed = false;
}

std::string FakeVoyado::lastCreateSource() {
    std::lock_guard lock(state_->mutex);
    return state_->lastCreateSource;
}

std::string FakeVoyado::lastRefusal() {
    std::lock_guard lock(state_->mutex);
    return state_->lastRefusal;
}

}  // namespace lojal::test
