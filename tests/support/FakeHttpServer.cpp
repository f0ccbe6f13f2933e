#include "FakeHttpServer.h"

#include "LojaldProcess.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

namespace lojal::test {

struct FakeHttpServer::State {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<RecordedRequest> requests;
    std::vector<ScriptedAnswer> script;
};

namespace {

class ScriptedHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit ScriptedHandler(std::shared_ptr<FakeHttpServer::State> state)
        : state_(std::move(state)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        RecordedRequest recorded{request.getMethod(), request.getURI(), {}, {}};
        for (const auto& [name, value] : request) recorded.headers[name] = value;
        Poco::StreamCopier::copyToString(request.stream(), recorded.body);
        ScriptedAnswer answer;
        {
            std::lock_guard lock(state_->mutex);
            const size_t index = std::min(state_->requests.size(), state_->script.size() - 1);
            answer = state_->script[index];
            state_->requests.push_back(recorded);
        }
        state_->arrived.notify_all();
        noteActivity();
        response.setStatusAndReason(
            static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
        for (const auto& [name, value] : answer.headers) response.set(name, value);
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
        response.send() << answer.body;
    }

  private:
    std::shared_ptr<FakeHttpServer::State> state_;
};

class ScriptedFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit ScriptedFactory(std::shared_ptr<FakeHttpServer::State> state)
        : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new ScriptedHandler(state_);
    }

  private:
    std::shared_ptr<FakeHttpServer::State> state_;
};

}  // namespace

FakeHttpServer::FakeHttpServer(std::vector<ScriptedAnswer> script)
    : state_(std::make_shared<State>()) {
    state_->script =
        script.empty() ? std::vector<ScriptedAnswer>{ScriptedAnswer{}} : std::move(script);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new ScriptedFactory(state_), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
}

FakeHttpServer::~FakeHttpServer() {
    server_->stopAll(true);
}

std::vector<RecordedRequest> FakeHttpServer::waitForRequests(size_t count,
                                                             std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    state_->arrived.wait_for(lock, timeout, [&] { return state_->requests.size() >= count; });
    return state_->requests;
}

size_t FakeHttpServer::requestCount() {
    std::lock_guard lock(state_->mutex);
    return state_->requests.size();
}

}  // namespace lojal::test
