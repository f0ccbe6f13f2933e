#include "TestCrm.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <condition_variable>
#include <mutex>
#include <sstream>

namespace lojal::test {

struct TestCrm::State {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, int> receipts;  // id -> times received
    size_t duplicates = 0;
    size_t batches = 0;
    int faultsLeft = 0;
    int faultStatus = 500;
    std::string faultBody;
    std::string faultRetryAfter;
    std::string rejectPrefix;
    std::string lastApiKey;
};

namespace {

class CrmHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit CrmHandler(std::shared_ptr<TestCrm::State> state) : state_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        std::unique_lock lock(state_->mutex);
        ++state_->batches;
        state_->lastApiKey = request.get("X-Api-Key", "");
        if (state_->faultsLeft > 0) {
            --state_->faultsLeft;
            const int status = state_->faultStatus;
            const std::string answer = state_->faultBody;
            const std::string retryAfter = state_->faultRetryAfter;
            lock.unlock();
            state_->changed.notify_all();
            response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
            if (!retryAfter.empty()) response.set("Retry-After", retryAfter);
            response.setContentLength64(static_cast<Poco::Int64>(answer.size()));
            response.send() << answer;
            return;
        }
        Poco::JSON::Array results;
        if (request.getURI() != "/v1/receipts/batch" || request.getMethod() != "POST") {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send();
            return;
        }
        Poco::JSON::Parser parser;
        const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        const auto receipts = root->getArray("receipts");
        for (size_t i = 0; i < receipts->size(); ++i) {
            const std::string id =
                receipts->getObject(static_cast<unsigned>(i))->getValue<std::string>("receipt_id");
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
            }
            results.add(item);
        }
        lock.unlock();
        state_->changed.notify_all();
        Poco::JSON::Object answer;
        answer.set("results", results);
        std::ostringstream text;
        answer.stringify(text);
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(text.str().size()));
        response.send() << text.str();
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

TestCrm::~TestCrm() {
    server_->stopAll(true);
}

std::string TestCrm::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void TestCrm::failNext(int count, int status, const std::string& body,
                       const std::string& retryAfter) {
    std::lock_guard lock(state_->mutex);
    state_->faultsLeft = count;
    state_->faultStatus = status;
    state_->faultBody = body;
    state_->faultRetryAfter = retryAfter;
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
