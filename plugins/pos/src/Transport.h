#pragma once
// HTTP to lojald with Poco::Net: one exchange per call, keep-alive connections
// pooled per handle, every blocking step bounded by the call's deadline and
// registered with the CallRegistry so a cancel or the watchdog can end it.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketAddress.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CallRegistry.h"
#include "DefaultCaFile.h"

namespace lojal::pos {

struct Endpoint {
    bool tls = false;
    std::string host;
    uint16_t port = 0;
    std::string caFile = kDefaultCaFile;
};

// "http://HOST:PORT" or "https://HOST:PORT", nothing after but one "/".
std::optional<Endpoint> parseEndpoint(const std::string& url, std::string& why);

struct HttpRequestSpec {
    std::string method = "GET";
    std::string target;  // path and query
    std::optional<std::string> body;
    std::vector<std::pair<std::string, std::string>> headers;
    // A lost answer on a reused connection may be sent again on a new one
    // (GET, or a request lojald deduplicates by its key).
    bool resendable = false;
};

// Who sends, per request: the handle's settings at the time of the call.
struct Sender {
    int connectTimeoutMs = 300;
    std::string userAgent;
    std::string authorization;  // the header's value; "" sends none
};

struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string errorCode;  // "error":{"code":...} of a refusal
    std::string errorMessage;
};

class Transport {
  public:
    Transport(Endpoint endpoint, CallRegistry& registry);

    // LOJAL_OK when lojald answered (any status); else the failure, recorded in
    // the thread's last error.
    int exchange(Call& call, const HttpRequestSpec& request, const Sender& sender,
                 HttpAnswer& answer);
    // A new connection, registered to the call (for the event stream's upgrade).
    std::unique_ptr<Poco::Net::HTTPClientSession> connect(Call& call, int connectTimeoutMs);
    void setCaFile(const std::string& caFile);
    std::string hostHeader() const;
    void dropIdle();

  private:
    struct Pooled {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        Clock::time_point idleSince;
    };
    int attempt(Call& call, const HttpRequestSpec& request, const Sender& sender,
                HttpAnswer& answer, bool& reused);
    std::unique_ptr<Poco::Net::HTTPClientSession> takeIdle();
    void giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session);
    Poco::Net::SocketAddress address();

    Endpoint endpoint_;
    CallRegistry& registry_;
    std::mutex mutex_;
    std::vector<Pooled> idle_;
    std::optional<Poco::Net::SocketAddress> address_;
};

}  // namespace lojal::pos
