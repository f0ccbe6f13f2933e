#include "Transport.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>

#include "Errors.h"
#include "tls/TlsModule.h"

namespace lojal::pos {
namespace {

constexpr size_t kMaxAnswerBytes = 16 * 1024 * 1024;
// lojald closes an idle connection after 5 s (server.keep_alive_timeout); one
// idle for less than this is reused, older ones are closed.
constexpr auto kMaxIdle = std::chrono::seconds(2);

enum class Phase { connecting, sending, receiving };

long long remainingMs(const Call& call) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(call.deadline - Clock::now());
    return std::max<long long>(1, left.count());
}

Poco::Timespan millis(long long ms) {
    return Poco::Timespan(ms * 1000);
}

void readErrorBody(HttpAnswer& answer) {
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>();
        if (const auto error = root ? root->getObject("error") : nullptr) {
            answer.errorCode = error->optValue<std::string>("code", "");
            answer.errorMessage = error->optValue<std::string>("message", "");
        }
    } catch (const Poco::Exception&) {  // not lojald's JSON: the status says enough
    }
}

// Detaches the call's socket on every way out, before the session (declared
// earlier) closes it.
struct DetachOnExit {
    CallRegistry& registry;
    Call& call;
    ~DetachOnExit() { registry.detach(call); }
};

}  // namespace

std::optional<Endpoint> parseEndpoint(const std::string& url, std::string& why) {
    try {
        const Poco::URI uri(url);
        Endpoint endpoint;
        if (uri.getScheme() != "http" && uri.getScheme() != "https") {
            why = "the url must start with http:// or https://";
            return std::nullopt;
        }
        if (uri.getHost().empty() || !uri.getUserInfo().empty() || !uri.getQuery().empty() ||
            !uri.getFragment().empty() || (uri.getPath() != "" && uri.getPath() != "/")) {
            why = "the url must be http://HOST:PORT or https://HOST:PORT";
            return std::nullopt;
        }
        endpoint.tls = uri.getScheme() == "https";
        endpoint.host = uri.getHost();
        endpoint.port = uri.getPort();
        return endpoint;
    } catch (const Poco::Exception& e) {
        why = "the url cannot be read: " + e.message();
        return std::nullopt;
    }
}

Transport::Transport(Endpoint endpoint, CallRegistry& registry)
    : endpoint_(std::move(endpoint)), registry_(registry) {}

void Transport::setCaFile(const std::string& caFile) {
    std::lock_guard lock(mutex_);
    endpoint_.caFile = caFile;
}

std::string Transport::hostHeader() const {
    const bool ipv6 = endpoint_.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + endpoint_.host + "]" : endpoint_.host) + ":" +
           std::to_string(endpoint_.port);
}

Poco::Net::SocketAddress Transport::address() {
    {
        std::lock_guard lock(mutex_);
        if (address_) return *address_;
    }
    // A host name is resolved once, on first use (an IP address needs no lookup).
    Poco::Net::SocketAddress resolved(endpoint_.host, endpoint_.port);
    std::lock_guard lock(mutex_);
    address_ = resolved;
    return resolved;
}

std::unique_ptr<Poco::Net::HTTPClientSession> Transport::connect(Call& call, int connectTimeoutMs) {
    const Poco::Net::SocketAddress peer = address();
    const auto timeout = millis(std::min<long long>(connectTimeoutMs, remainingMs(call)));
    if (endpoint_.tls) {
        // Poco's HTTPS session connects (TCP and the handshake, both within the
        // connect timeout) on its first request, so its socket is registered
        // only after that: until then Poco's own timeouts bound it.
        std::string why;
        const OpenTlsSession open = tlsSessionFactory(why);
        if (!open) throw Poco::Net::NetException(why);
        std::string caFile;
        {
            std::lock_guard lock(mutex_);
            caFile = endpoint_.caFile;
        }
        std::unique_ptr<Poco::Net::HTTPClientSession> session(
            open(endpoint_.host, endpoint_.port, caFile));
        const auto left = millis(remainingMs(call));
        session->setTimeout(timeout, left, left);
        session->setKeepAlive(true);
        return session;
    }
    Poco::Net::StreamSocket socket(peer.family());  // a descriptor now: cancel reaches the connect
    registry_.attach(call, socket.impl()->sockfd());
    try {
        socket.connect(peer, timeout);
        socket.setNoDelay(true);
    } catch (...) {
        registry_.detach(call);  // before the socket closes its descriptor
        throw;
    }
    auto session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
    // Else Poco sends "Connection: close" whatever the request says.
    session->setKeepAlive(true);
    return session;
}

std::unique_ptr<Poco::Net::HTTPClientSession> Transport::takeIdle() {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    while (!idle_.empty()) {
        Pooled pooled = std::move(idle_.back());
        idle_.pop_back();
        if (now - pooled.idleSince < kMaxIdle) return std::move(pooled.session);
    }
    return nullptr;
}

void Transport::giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < 8) idle_.push_back(Pooled{std::move(session), Clock::now()});
}

void Transport::dropIdle() {
    std::vector<Pooled> closing;
    std::lock_guard lock(mutex_);
    closing.swap(idle_);
}

int Transport::exchange(Call& call, const HttpRequestSpec& request, const Sender& sender,
                        HttpAnswer& answer) {
    bool reused = false;
    int result = attempt(call, request, sender, answer, reused);
    // A pooled connection lojald had already closed: the request never reached
    // it; one new connection, for requests that may be sent twice.
    if (result == LOJAL_E_UNAVAILABLE && reused && request.resendable && !call.cancelled &&
        !call.timedOut) {
        result = attempt(call, request, sender, answer, reused);
    }
    return result;
}

int Transport::attempt(Call& call, const HttpRequestSpec& request, const Sender& sender,
                       HttpAnswer& answer, bool& reused) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    DetachOnExit detach{registry_, call};
    Phase phase = Phase::connecting;
    try {
        session = takeIdle();
        reused = session != nullptr;
        if (reused) {
            registry_.attach(call, session->socket().impl()->sockfd());
        } else {
            session = connect(call, sender.connectTimeoutMs);
        }
        if (session->connected()) {
            const auto left = millis(remainingMs(call));
            session->socket().setSendTimeout(left);
            session->socket().setReceiveTimeout(left);
        }
        Poco::Net::HTTPRequest http(request.method, request.target,
                                    Poco::Net::HTTPMessage::HTTP_1_1);
        http.setHost(hostHeader());
        http.set("User-Agent", sender.userAgent);
        if (!sender.authorization.empty()) http.set("Authorization", sender.authorization);
        http.setKeepAlive(true);
        for (const auto& [name, value] : request.headers) http.set(name, value);
        if (request.body) {
            http.setContentType("application/json");
            http.setContentLength64(static_cast<Poco::Int64>(request.body->size()));
        }
        std::ostream& out = session->sendRequest(http);
        registry_.attach(call, session->socket().impl()->sockfd());  // (HTTPS: connected now)
        phase = Phase::sending;
        if (request.body) out << *request.body;
        out.flush();
        phase = Phase::receiving;
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        answer = HttpAnswer{};
        answer.status = static_cast<int>(response.getStatus());
        char buffer[16384];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            answer.body.append(buffer, static_cast<size_t>(in.gcount()));
            if (answer.body.size() > kMaxAnswerBytes)
                return fail(LOJAL_E_PROTOCOL, "lojald's answer is larger than 16 MiB");
        }
        if (in.bad()) throw Poco::Net::NetException("the answer broke off");
        if (answer.status >= 400) readErrorBody(answer);
        if (response.getKeepAlive() && !call.cancelled && !call.timedOut) {
            registry_.detach(call);
            giveBack(std::move(session));
        }
        return LOJAL_OK;
    } catch (const Poco::Exception& e) {
        const std::string where = " (" + hostHeader() + ")";
        if (call.cancelled) return fail(LOJAL_E_CANCELLED, "the call was cancelled");
        if (phase == Phase::connecting) {
            if (call.timedOut) return fail(LOJAL_E_TIMEOUT, "no connection before the timeout");
            return fail(LOJAL_E_UNAVAILABLE,
                        "lojald cannot be reached" + where + ": " + e.displayText());
        }
        if (call.timedOut || dynamic_cast<const Poco::TimeoutException*>(&e))
            return fail(LOJAL_E_TIMEOUT, "lojald did not answer within the timeout" + where);
        if (dynamic_cast<const Poco::Net::MessageException*>(&e) &&
            !dynamic_cast<const Poco::Net::NoMessageException*>(&e))
            return fail(LOJAL_E_PROTOCOL, "lojald's answer cannot be read: " + e.displayText());
        return fail(LOJAL_E_UNAVAILABLE,
                    "the connection to lojald broke" + where + ": " + e.displayText());
    }
}

}  // namespace lojal::pos
