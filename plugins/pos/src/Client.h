#pragma once
// What a lojal_client handle is: options, the transport, the registry of
// blocking calls and the event pump. lojal.cpp turns C calls into these.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "CallRegistry.h"
#include "EventPump.h"
#include "Transport.h"

namespace lojal::pos {

struct Options {
    std::atomic<int> connectTimeoutMs{300};
    std::atomic<int> requestTimeoutMs{2000};
    std::atomic<int> terminalTimeoutMs{180000};
    mutable std::mutex mutex;  // for the strings
    std::string userAgent;
    std::string registerId;
    std::string cashierId;
    std::string locale;
};

constexpr int kMaxTimeoutMs = 600000;

class Client {
  public:
    Client(Endpoint endpoint, std::string token);
    ~Client();  // see close()

    // Cancels calls in flight, waits for them, stops the library's threads.
    void close();
    int setOption(int option, int64_t value);
    int setOption(int option, const char* value);
    void cancel();

    // A whole request to lojald within timeoutMs (< 0: the request default):
    // version handshake first (once), then the exchange. LOJAL_OK for a 2xx;
    // otherwise the mapped code, with `answer` filled when lojald answered.
    int request(const HttpRequestSpec& spec, int timeoutMs, HttpAnswer& answer);
    // The same within an already registered call (several exchanges, one deadline).
    int requestWithin(Call& call, const HttpRequestSpec& spec, HttpAnswer& answer);
    // GET /v1/health and the major version check; a degraded lojald (503) passes.
    int checkVersion(Call& call, HttpAnswer* healthAnswer = nullptr);

    // A deadline from a caller's timeout_ms; nullopt (and the error) when invalid.
    std::optional<Clock::time_point> deadlineFor(int timeoutMs, int defaultMs, bool zeroAllowed);

    Options& options() { return options_; }
    CallRegistry& calls() { return calls_; }
    Transport& transport() { return transport_; }
    EventPump& events() { return events_; }
    const std::string& token() const { return token_; }
    std::string userAgent() const;
    Sender sender() const;

  private:
    int exchangeChecked(Call& call, const HttpRequestSpec& spec, HttpAnswer& answer);

    const std::string token_;
    Options options_;
    CallRegistry calls_;
    Transport transport_;
    std::atomic<bool> versionChecked_{false};
    EventPump events_;  // last: its thread uses the members above
    std::once_flag closed_;
};

// One blocking call on a handle: its deadline (from the caller's timeout_ms,
// or given) and its registration with the handle's CallRegistry for the
// watchdog and lojal_cancel(). status() says whether it may start: LOJAL_OK,
// or the failure already recorded (a bad timeout, the handle being freed).
class BoundedCall {
  public:
    BoundedCall(Client& client, int timeoutMs, int defaultMs, bool zeroAllowed);
    BoundedCall(Client& client, Clock::time_point deadline);
    BoundedCall(const BoundedCall&) = delete;
    BoundedCall& operator=(const BoundedCall&) = delete;
    int status() const { return status_; }
    Call& call() { return call_; }

  private:
    void admit(Client& client, Clock::time_point deadline);
    Call call_;
    std::optional<CallScope> scope_;
    int status_ = LOJAL_OK;
};

}  // namespace lojal::pos
