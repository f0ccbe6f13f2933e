#pragma once
// A real HTTP server on loopback that plays a remote service (an SMS provider, later
// the CRM) with fault injection: it records every request and answers from a script
// of (status, body) pairs, repeating the last one when the script runs out.

#include <Poco/Net/HTTPServer.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lojal::test {

struct RecordedRequest {
    std::string method;
    std::string uri;
    std::map<std::string, std::string> headers;
    std::string body;
};

struct ScriptedAnswer {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
};

class FakeHttpServer {
  public:
    explicit FakeHttpServer(std::vector<ScriptedAnswer> script);
    ~FakeHttpServer();
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // Waits until at least count requests arrived; returns a copy of them all.
    std::vector<RecordedRequest> waitForRequests(size_t count, std::chrono::milliseconds timeout);
    size_t requestCount();

    struct State;

  private:
    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace lojal::test
