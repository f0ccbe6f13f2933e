#include "Client.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "Errors.h"

namespace lojal::pos {

Client::Client(Endpoint endpoint, std::string token)
    : token_(std::move(token)), transport_(std::move(endpoint), calls_), events_(*this) {
    options_.userAgent = std::string("liblojal/") + lojal_version_string();
}

Client::~Client() {
    close();
}

void Client::close() {
    std::call_once(closed_, [this] {
        // Calls in flight on other threads end with LOJAL_E_CANCELLED first (the
        // event thread's connect among them), then the event thread stops.
        calls_.close([this] { events_.wake(); });
        events_.stop();
        transport_.dropIdle();
    });
}

void Client::cancel() {
    calls_.cancelAll();
    events_.wake();
}

std::string Client::userAgent() const {
    std::lock_guard lock(options_.mutex);
    return options_.userAgent;
}

Sender Client::sender() const {
    Sender sender;
    sender.connectTimeoutMs = options_.connectTimeoutMs;
    sender.userAgent = userAgent();
    return sender;  // /v1/health needs no token; exchangeChecked adds it
}

std::optional<Clock::time_point> Client::deadlineFor(int timeoutMs, int defaultMs,
                                                     bool zeroAllowed) {
    if (timeoutMs < 0) timeoutMs = defaultMs;
    if (timeoutMs > kMaxTimeoutMs || (timeoutMs == 0 && !zeroAllowed)) {
        fail(LOJAL_E_INVALID_ARG, "timeout_ms must be from 1 to 600000 (or < 0 for the default)");
        return std::nullopt;
    }
    return Clock::now() + std::chrono::milliseconds(timeoutMs);
}

int Client::setOption(int option, int64_t value) {
    const auto inRange = [&](int64_t low, int64_t high) { return value >= low && value <= high; };
    switch (option) {
        case LOJAL_OPT_CONNECT_TIMEOUT_MS:
            if (!inRange(1, 60000)) break;
            options_.connectTimeoutMs = static_cast<int>(value);
            return succeed();
        case LOJAL_OPT_REQUEST_TIMEOUT_MS:
            if (!inRange(1, kMaxTimeoutMs)) break;
            options_.requestTimeoutMs = static_cast<int>(value);
            return succeed();
        case LOJAL_OPT_TERMINAL_TIMEOUT_MS:
            if (!inRange(1, kMaxTimeoutMs)) break;
            options_.terminalTimeoutMs = static_cast<int>(value);
            return succeed();
        case LOJAL_OPT_EVENT_QUEUE_MAX:
            if (!inRange(1, 1000000)) break;
            events_.setQueueMax(static_cast<size_t>(value));
            return succeed();
        case LOJAL_OPT_EVENTS:
            if (!inRange(0, 1)) break;
            events_.setEnabled(value == 1);
            return succeed();
        default:
            return fail(LOJAL_E_INVALID_ARG, "not an integer option: " + std::to_string(option));
    }
    return fail(LOJAL_E_INVALID_ARG, "value " + std::to_string(value) +
                                         " is out of range for option " + std::to_string(option));
}

int Client::setOption(int option, const char* value) {
    if (!value) return fail(LOJAL_E_INVALID_ARG, "the value is NULL");
    const std::string text(value);
    if (text.size() > 256) return fail(LOJAL_E_INVALID_ARG, "the value is longer than 256 bytes");
    for (const unsigned char c : text) {
        if (c < 0x20 || c == 0x7f)
            return fail(LOJAL_E_INVALID_ARG, "the value holds a control character");
    }
    std::lock_guard lock(options_.mutex);
    switch (option) {
        case LOJAL_OPT_USER_AGENT: options_.userAgent = text; return succeed();
        case LOJAL_OPT_REGISTER_ID: options_.registerId = text; return succeed();
        case LOJAL_OPT_CASHIER_ID: options_.cashierId = text; return succeed();
        case LOJAL_OPT_LOCALE: options_.locale = text; return succeed();
        case LOJAL_OPT_CA_FILE: transport_.setCaFile(text); return succeed();
        default: return fail(LOJAL_E_INVALID_ARG, "not a string option: " + std::to_string(option));
    }
}

int Client::request(const HttpRequestSpec& spec, int timeoutMs, HttpAnswer& answer) {
    BoundedCall bounded(*this, timeoutMs, options_.requestTimeoutMs, false);
    if (bounded.status() != LOJAL_OK) return bounded.status();
    return requestWithin(bounded.call(), spec, answer);
}

BoundedCall::BoundedCall(Client& client, int timeoutMs, int defaultMs, bool zeroAllowed) {
    const auto deadline = client.deadlineFor(timeoutMs, defaultMs, zeroAllowed);
    if (!deadline) {
        status_ = LOJAL_E_INVALID_ARG;  // deadlineFor recorded why
        return;
    }
    admit(client, *deadline);
}

BoundedCall::BoundedCall(Client& client, Clock::time_point deadline) {
    admit(client, deadline);
}

void BoundedCall::admit(Client& client, Clock::time_point deadline) {
    call_.deadline = deadline;
    scope_.emplace(client.calls(), call_);
    if (!scope_->admitted()) status_ = fail(LOJAL_E_CANCELLED, "the handle is being freed");
}

int Client::requestWithin(Call& call, const HttpRequestSpec& spec, HttpAnswer& answer) {
    if (!versionChecked_) {
        if (const int result = checkVersion(call); result != LOJAL_OK) return result;
    }
    return exchangeChecked(call, spec, answer);
}

int Client::exchangeChecked(Call& call, const HttpRequestSpec& spec, HttpAnswer& answer) {
    Sender sender = this->sender();
    sender.authorization = "Bearer " + token_;
    const int result = transport_.exchange(call, spec, sender, answer);
    if (result != LOJAL_OK) return result;
    const int mapped = codeForAnswer(answer.status, answer.errorCode);
    if (mapped == LOJAL_OK) return succeed(answer.status);
    std::string message = answer.errorMessage.empty()
                              ? "lojald answered HTTP " + std::to_string(answer.status)
                              : answer.errorMessage;
    return fail(mapped, std::move(message), answer.status, answer.errorCode);
}

int Client::checkVersion(Call& call, HttpAnswer* healthAnswer) {
    HttpRequestSpec health;
    health.target = "/v1/health";
    health.resendable = true;
    HttpAnswer answer;
    const int result = transport_.exchange(call, health, sender(), answer);
    if (result != LOJAL_OK) return result;
    if (healthAnswer) *healthAnswer = answer;
    // A degraded lojald (503) still says its version.
    std::string apiVersion = "1.0";  // lojald before api_version was added spoke /v1
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>();
        if (!root) throw Poco::DataException("not an object");
        apiVersion = root->optValue<std::string>("api_version", apiVersion);
    } catch (const Poco::Exception&) {
        return fail(LOJAL_E_PROTOCOL, "this is not lojald: /v1/health is not its JSON",
                    answer.status);
    }
    const std::string major = apiVersion.substr(0, apiVersion.find('.'));
    if (major != std::to_string(LOJAL_VERSION_MAJOR)) {
        versionChecked_ = false;  // a lojald upgraded under a running till
        return fail(LOJAL_E_VERSION,
                    "lojald speaks API " + apiVersion + "; this liblojal " +
                        lojal_version_string() + " speaks major " +
                        std::to_string(LOJAL_VERSION_MAJOR),
                    answer.status);
    }
    versionChecked_ = true;
    return succeed(answer.status);
}

}  // namespace lojal::pos
