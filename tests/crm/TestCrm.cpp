#include "TestCrm.h"

#include "LojaldProcess.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <condition_variable>
#include <mutex>
#include <random>
#include <sstream>

namespace lojal::test {

struct TestCrm::State {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, int> receipts;  // id -> times received
    std::vector<std::string> arrivals;    // ids, first arrival order
    size_t duplicates = 0;
    size_t batches = 0;
    size_t faults = 0;
    int faultsLeft = 0;
    Fault fault;
    double flapProbability = 0;
    std::mt19937_64 random;
    std::string rejectPrefix;
    std::string lastApiKey;

    std::map<std::string, std::string> signups;   // signup_id -> JSON
    std::map<std::string, std::string> erasures;  // erasure_id -> JSON
    bool signupsAndErasuresDown = false;
    std::map<std::string, Poco::JSON::Object> members;  // by id
    std::vector<std::pair<std::string, bool>> feed;     // (id, erased), cursor = index + 1
    Poco::JSON::Array offers;
    int memberDelayMs = 0;
    bool membersDown = false;
    size_t lookups = 0;
    size_t changeRequests = 0;
    bool closing = false;  // ends injected delays at once when the test is done

    // An injected slow answer: waits delayMs, or less when the CRM shuts down.
    void delay(int delayMs) {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, std::chrono::milliseconds(delayMs), [this] { return closing; });
    }
};

namespace {

class CrmHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit CrmHandler(std::shared_ptr<TestCrm::State> state) : state_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        const Poco::URI uri(request.getURI());
        if (uri.getPath().rfind("/v1/members/", 0) == 0 || uri.getPath() == "/v1/offers") {
            return memberRequest(uri, response);
        }
        if (request.getURI() == "/v1/signups/batch" && request.getMethod() == "POST") {
            return storeBatch(body, "signups", "signup_id", state_->signups, response);
        }
        if (request.getURI() == "/v1/erasures/batch" && request.getMethod() == "POST") {
            return storeBatch(body, "erasures", "erasure_id", state_->erasures, response);
        }
        if (request.getURI() != "/v1/receipts/batch" || request.getMethod() != "POST") {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send();
            return;
        }
        const TestCrm::Fault fault = nextFault(request.get("X-Api-Key", ""));
        using Kind = TestCrm::Fault::Kind;
        if (fault.kind == Kind::status) return answer(response, fault);
        if (fault.kind == Kind::reset) return dropConnection(request);
        if (fault.kind == Kind::slow) state_->delay(fault.delayMs);
        const std::string results = store(body);
        if (fault.kind == Kind::acceptThenDie) return dropConnection(request);
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(results.size()));
        response.send() << results;
    }

  private:
    // Sign-ups and erasures (docs/CRM-PROTOCOL.md): a batch in `list`, each item
    // stored once by its `idField` into `stored`; 503 while they are down.
    void storeBatch(const std::string& body, const std::string& list, const std::string& idField,
                    std::map<std::string, std::string>& stored,
                    Poco::Net::HTTPServerResponse& response) {
        Poco::JSON::Parser parser;
        const auto items = parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getArray(list);
        Poco::JSON::Array results;
        {
            std::lock_guard lock(state_->mutex);
            if (state_->signupsAndErasuresDown) {
                noteActivity();
                return sendJson(response, 503, "{\"error\":\"down\"}");
            }
            for (size_t i = 0; i < items->size(); ++i) {
                const auto item = items->getObject(static_cast<unsigned>(i));
                const std::string id = item->getValue<std::string>(idField);
                Poco::JSON::Object result;
                result.set(idField, id);
                result.set("status",
                           stored.emplace(id, text(*item)).second ? "accepted" : "duplicate");
                results.add(result);
            }
        }
        state_->changed.notify_all();
        noteActivity();
        Poco::JSON::Object answer;
        answer.set("results", results);
        sendJson(response, 200, text(answer));
    }

    void memberRequest(const Poco::URI& uri, Poco::Net::HTTPServerResponse& response) {
        int delayMs = 0;
        bool down = false;
        {
            std::lock_guard lock(state_->mutex);
            delayMs = state_->memberDelayMs;
            down = state_->membersDown;
            ++(uri.getPath() == "/v1/members/changes" ? state_->changeRequests : state_->lookups);
        }
        state_->changed.notify_all();
        noteActivity();
        if (delayMs > 0) state_->delay(delayMs);
        if (down) return sendJson(response, 503, "{\"error\":\"down\"}");
        std::map<std::string, std::string> query;
        for (const auto& [name, value] : uri.getQueryParameters()) query[name] = value;
        std::lock_guard lock(state_->mutex);
        if (uri.getPath() == "/v1/offers") {
            Poco::JSON::Object answer;
            answer.set("offers", state_->offers);
            return sendJson(response, 200, text(answer));
        }
        if (uri.getPath() == "/v1/members/changes") return sendChanges(query["since"], response);
        for (const auto& [id, member] : state_->members) {
            const bool match =
                (query.count("member_id") && query["member_id"] == id) ||
                (query.count("phone") && member.getValue<std::string>("phone") == query["phone"]) ||
                (query.count("card_token") && hasCard(member, query["card_token"]));
            if (!match) continue;
            Poco::JSON::Object answer;
            answer.set("member", member);
            return sendJson(response, 200, text(answer));
        }
        sendJson(response, 404, "{\"error\":\"no such member\"}");
    }

    // Pages of at most 2 changes, so the client must follow "more".
    void sendChanges(const std::string& since, Poco::Net::HTTPServerResponse& response) {
        size_t from = since.empty() ? 0 : std::stoul(since);
        const size_t to = std::min(state_->feed.size(), from + 2);
        Poco::JSON::Array members;
        Poco::JSON::Array erased;
        for (size_t i = from; i < to; ++i) {
            const auto& [id, gone] = state_->feed[i];
            const auto member = state_->members.find(id);
            if (gone || member == state_->members.end())
                erased.add(id);
            else
                members.add(member->second);
        }
        Poco::JSON::Object answer;
        answer.set("members", members);
        answer.set("erased", erased);
        answer.set("next_cursor", std::to_string(to));
        answer.set("more", to < state_->feed.size());
        sendJson(response, 200, text(answer));
    }

    static bool hasCard(const Poco::JSON::Object& member, const std::string& card) {
        const auto cards = member.getArray("card_tokens");
        for (size_t i = 0; cards && i < cards->size(); ++i) {
            if (cards->getElement<std::string>(static_cast<unsigned>(i)) == card) return true;
        }
        return false;
    }

    static std::string text(const Poco::JSON::Object& object) {
        std::ostringstream out;
        object.stringify(out);
        return out.str();
    }

    static void sendJson(Poco::Net::HTTPServerResponse& response, int status,
                         const std::string& body) {
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.send() << body;
    }

    TestCrm::Fault nextFault(const std::string& apiKey) {
        std::lock_guard lock(state_->mutex);
        ++state_->batches;
        state_->lastApiKey = apiKey;
        TestCrm::Fault fault;
        if (state_->faultsLeft > 0) {
            --state_->faultsLeft;
            fault = state_->fault;
        } else if (state_->flapProbability > 0 && std::uniform_real_distribution<double>(0, 1)(
                                                      state_->random) < state_->flapProbability) {
            fault = randomFault(state_->random);
        }
        if (fault.kind != TestCrm::Fault::Kind::none) ++state_->faults;
        return fault;
    }

    static TestCrm::Fault randomFault(std::mt19937_64& random) {
        using Kind = TestCrm::Fault::Kind;
        switch (std::uniform_int_distribution<int>(0, 6)(random)) {
            case 0: return TestCrm::statusFault(500);
            case 1: return TestCrm::statusFault(503, "busy", "1");
            case 2: return TestCrm::statusFault(429, "{}", "1");
            case 3: return TestCrm::statusFault(200, "<html>gateway</html>");
            case 4: return {Kind::slow, 200, "", "", 300};
            case 5: return {Kind::reset, 0, "", "", 0};
            default: return {Kind::acceptThenDie, 0, "", "", 0};
        }
    }

    static void answer(Poco::Net::HTTPServerResponse& response, const TestCrm::Fault& fault) {
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(fault.status));
        if (!fault.retryAfter.empty()) response.set("Retry-After", fault.retryAfter);
        response.setContentLength64(static_cast<Poco::Int64>(fault.body.size()));
        response.send() << fault.body;
    }

    // Linger 0 makes close() send a TCP RST; the exception ends the connection
    // without an answer (Poco's server swallows it).
    static void dropConnection(Poco::Net::HTTPServerRequest& request) {
        auto& socket = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
        socket.setLinger(true, 0);
        throw Poco::IOException("test CRM: connection dropped on purpose");
    }

    // Stores each receipt by id and returns the per-item results.
    std::string store(const std::string& body) {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        const auto receipts = root->getArray("receipts");
        Poco::JSON::Array results;
        {
            std::lock_guard lock(state_->mutex);
            for (size_t i = 0; i < receipts->size(); ++i) {
                const std::string id = receipts->getObject(static_cast<unsigned>(i))
                                           ->getValue<std::string>("receipt_id");
                Poco::JSON::Object item;
                item.set("receipt_id", id);
                if (!state_->rejectPrefix.empty() && id.rfind(state_->rejectPrefix, 0) == 0) {
                    item.set("status", "rejected");
                    item.set("reason", "unknown store for this key");
                } else if (state_->receipts[id]++ > 0) {
                    ++state_->duplicates;
                    item.set("status", "duplicate");
                } else {
                    item.set("status", "accepted");
                    state_->arrivals.push_back(id);
                }
                results.add(item);
            }
        }
        state_->changed.notify_all();
        noteActivity();
        Poco::JSON::Object answer;
        answer.set("results", results);
        std::ostringstream text;
        answer.stringify(text);
        return text.str();
    }

  private:
    std::shared_ptr<TestCrm::State> state_;
};

class CrmFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit CrmFactory(std::shared_ptr<TestCrm::State> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new CrmHandler(state_);
    }

  private:
    std::shared_ptr<TestCrm::State> state_;
};

}  // namespace

TestCrm::TestCrm() : state_(std::make_shared<State>()) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new CrmFactory(state_), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
}

TestCrm::TestCrm(const TlsServerFiles& tls) : state_(std::make_shared<State>()), tls_(true) {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, tls.keyFile, tls.certFile, tls.clientCaFile,
        tls.clientCaFile.empty() ? Poco::Net::Context::VERIFY_NONE
                                 : Poco::Net::Context::VERIFY_STRICT,
        9, false);
    // A server that verifies clients needs a session id context (OpenSSL); and a
    // client certificate names a store, not the address it connects from, so
    // Poco's host-name check is for the client side only.
    context->enableSessionCache(true, "lojal-test-crm");
    context->enableExtendedCertificateVerification(false);
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new CrmFactory(state_), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
}

TestCrm::~TestCrm() {
    {
        std::lock_guard lock(state_->mutex);
        state_->closing = true;
    }
    state_->changed.notify_all();
    server_->stopAll(true);
}

std::string TestCrm::url() const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
}

TestCrm::Fault TestCrm::statusFault(int status, const std::string& body,
                                    const std::string& retryAfter) {
    return Fault{Fault::Kind::status, status, body, retryAfter, 0};
}

void TestCrm::injectNext(int count, const Fault& fault) {
    std::lock_guard lock(state_->mutex);
    state_->faultsLeft = count;
    state_->fault = fault;
}

void TestCrm::failNext(int count, int status, const std::string& body,
                       const std::string& retryAfter) {
    injectNext(count, statusFault(status, body, retryAfter));
}

void TestCrm::flap(double probability, uint64_t seed) {
    std::lock_guard lock(state_->mutex);
    state_->flapProbability = probability;
    state_->random.seed(seed);
}

void TestCrm::putMember(const std::string& id, const std::string& phone,
                        const std::vector<std::string>& cardTokens, const std::string& tier,
                        int points) {
    Poco::JSON::Object member;
    member.set("member_id", id);
    member.set("phone", phone);
    Poco::JSON::Array::Ptr cards = new Poco::JSON::Array;
    for (const auto& card : cardTokens) cards->add(card);
    member.set("card_tokens", cards);
    member.set("tier", tier);
    member.set("points", points);
    std::lock_guard lock(state_->mutex);
    state_->members[id] = member;
    state_->feed.emplace_back(id, false);
}

void TestCrm::eraseMember(const std::string& id) {
    std::lock_guard lock(state_->mutex);
    state_->members.erase(id);
    state_->feed.emplace_back(id, true);
}

void TestCrm::putOffer(const std::string& id, const std::string& title, const std::string& tier) {
    Poco::JSON::Object offer;
    offer.set("offer_id", id);
    offer.set("title", title);
    offer.set("valid_from", "2026-11-01T00:00:00Z");
    offer.set("valid_to", "2026-12-31T23:59:59Z");
    offer.set("tier", tier);
    std::lock_guard lock(state_->mutex);
    state_->offers.add(offer);
}

void TestCrm::setMemberDelay(int delayMs) {
    std::lock_guard lock(state_->mutex);
    state_->memberDelayMs = delayMs;
}

void TestCrm::setMembersDown(bool down) {
    std::lock_guard lock(state_->mutex);
    state_->membersDown = down;
}

size_t TestCrm::memberLookups() {
    std::lock_guard lock(state_->mutex);
    return state_->lookups;
}

size_t TestCrm::changeRequests() {
    std::lock_guard lock(state_->mutex);
    return state_->changeRequests;
}

bool TestCrm::waitForChangeRequests(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->changeRequests >= count; });
}

size_t TestCrm::signupsStored() {
    std::lock_guard lock(state_->mutex);
    return state_->signups.size();
}

std::string TestCrm::signupJson(const std::string& signupId) {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->signups.find(signupId);
    return found == state_->signups.end() ? "" : found->second;
}

bool TestCrm::waitForSignups(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->signups.size() >= count; });
}

void TestCrm::setSignupsAndErasuresDown(bool down) {
    std::lock_guard lock(state_->mutex);
    state_->signupsAndErasuresDown = down;
}

std::vector<std::string> TestCrm::erasures() {
    std::lock_guard lock(state_->mutex);
    std::vector<std::string> list;
    for (const auto& [id, json] : state_->erasures) list.push_back(json);
    return list;
}

bool TestCrm::waitForErasures(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->erasures.size() >= count; });
}

size_t TestCrm::faults() {
    std::lock_guard lock(state_->mutex);
    return state_->faults;
}

void TestCrm::rejectIdsStartingWith(const std::string& prefix) {
    std::lock_guard lock(state_->mutex);
    state_->rejectPrefix = prefix;
}

size_t TestCrm::stored() {
    std::lock_guard lock(state_->mutex);
    return state_->receipts.size();
}

size_t TestCrm::duplicates() {
    std::lock_guard lock(state_->mutex);
    return state_->duplicates;
}

size_t TestCrm::batches() {
    std::lock_guard lock(state_->mutex);
    return state_->batches;
}

int TestCrm::timesStored(const std::string& receiptId) {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->receipts.find(receiptId);
    return found == state_->receipts.end() ? 0 : found->second;
}

std::vector<std::string> TestCrm::storedIds() {
    std::lock_guard lock(state_->mutex);
    std::vector<std::string> ids;
    for (const auto& entry : state_->receipts) ids.push_back(entry.first);
    return ids;
}

std::vector<std::string> TestCrm::arrivalOrder() {
    std::lock_guard lock(state_->mutex);
    return state_->arrivals;
}

std::string TestCrm::lastApiKey() {
    std::lock_guard lock(state_->mutex);
    return state_->lastApiKey;
}

bool TestCrm::waitForStored(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout,
                                    [&] { return state_->receipts.size() >= count; });
}

}  // namespace lojal::test
