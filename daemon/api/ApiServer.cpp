#include "api/ApiServer.h"

#include <limits>
#include <optional>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <thread>

#include "api/HostPolicy.h"
#include "api/JsonSyntax.h"

namespace lojal {

struct ApiServer::Shared {
    const ServerConfig& config;
    HostPolicy hosts;
    const Router& router;
    const TokenRegistry& tokens;
    HttpMetrics& metrics;
    std::atomic<int>& inFlight;
    std::atomic<bool> draining{false};
    Poco::Logger& log;
    SessionAuthenticator sessions;
};

namespace {

class InFlightGuard {
  public:
    explicit InFlightGuard(std::atomic<int>& counter) : counter_(counter) { ++counter_; }
    ~InFlightGuard() { --counter_; }

  private:
    std::atomic<int>& counter_;
};

// Content-Length as RFC 9110 8.6 has it: decimal digits only (no sign, no
// spaces, no list), and never beside chunked transfer coding (RFC 9112 6.3,
// where the two disagree a proxy and lojald could frame the body differently).
// Poco reads the header lazily and throws on garbage, so it is checked first.
std::optional<std::string> framingProblem(const Poco::Net::HTTPServerRequest& request) {
    if (!request.has("Content-Length")) return std::nullopt;
    const std::string& text = request.get("Content-Length");
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
        return "Content-Length must be a decimal number of bytes";
    }
    if (request.getChunkedTransferEncoding())
        return "send either Content-Length or Transfer-Encoding: chunked, not both";
    return std::nullopt;
}

bool hasBody(const Poco::Net::HTTPServerRequest& request) {
    return request.getChunkedTransferEncoding() ||
           (request.hasContentLength() && request.getContentLength64() > 0);
}

bool isJsonContentType(const std::string& contentType) {
    const std::string type = contentType.substr(0, contentType.find(';'));
    return Poco::icompare(type, "application/json") == 0;
}

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
  public:
    ApiRequestHandler(ApiServer::Shared& shared, std::shared_ptr<void> connectionHold)
        : shared_(shared), connectionHold_(std::move(connectionHold)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& httpRequest,
                       Poco::Net::HTTPServerResponse& httpResponse) override {
        InFlightGuard guard(shared_.inFlight);
        const auto started = std::chrono::steady_clock::now();
        std::string routeLabel = "unmatched";
        if (const auto problem = framingProblem(httpRequest)) {
            // Where the body ends is unknown: answer, then close the connection.
            httpResponse.setKeepAlive(false);
            send(httpResponse, errorResponse(400, "invalid_request", *problem));
            shared_.metrics.record(routeLabel, httpRequest.getMethod(), 400, 0);
            return;
        }
        bool bodyConsumed = !hasBody(httpRequest);
        Response response;
        try {
            response = dispatch(httpRequest, httpResponse, routeLabel, bodyConsumed);
        } catch (const Poco::TimeoutException&) {
            response =
                errorResponse(408, "request_timeout", "the request body did not arrive in time");
        } catch (const Poco::Exception& e) {
            shared_.log.error("%s %s failed: %s", httpRequest.getMethod(), routeLabel,
                              e.displayText());
            response = errorResponse(500, "internal", "internal error; see the daemon log");
        } catch (const std::exception& e) {
            shared_.log.error("%s %s failed: %s", httpRequest.getMethod(), routeLabel,
                              std::string(e.what()));
            response = errorResponse(500, "internal", "internal error; see the daemon log");
        }
        // A small body refused before it was read (401, 404, ...) is read and
        // dropped: closing with unread bytes makes the kernel send a reset, which
        // can reach the client before our answer does. Larger ones: close.
        if (!bodyConsumed && !response.alreadySent && response.status != 413 &&
            response.status != 408)
            bodyConsumed = discardSmallBody(httpRequest);
        // An unread body would be parsed as the next request: close instead.
        if (!response.alreadySent) {
            if (!bodyConsumed || shared_.draining.load()) httpResponse.setKeepAlive(false);
            send(httpResponse, response);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        shared_.metrics.record(routeLabel, httpRequest.getMethod(), response.status, seconds);
        if (shared_.log.debug()) {
            shared_.log.debug("%s %s -> %d (%.3f ms)", httpRequest.getMethod(), routeLabel,
                              response.status, seconds * 1000);
        }
    }

  private:
    Response dispatch(Poco::Net::HTTPServerRequest& httpRequest,
                      Poco::Net::HTTPServerResponse& httpResponse, std::string& routeLabel,
                      bool& bodyConsumed) {
        Request request;
        request.method = httpRequest.getMethod();
        request.connectionHold = connectionHold_;
        if (httpRequest.has("Idempotency-Key"))
            request.idempotencyKey = httpRequest.get("Idempotency-Key");
        const std::string& version = httpRequest.getVersion();
        if (version != Poco::Net::HTTPMessage::HTTP_1_1 &&
            version != Poco::Net::HTTPMessage::HTTP_1_0) {
            return errorResponse(400, "invalid_request", "not an HTTP/1.x request");
        }
        // DNS rebinding and foreign pages (api/HostPolicy.h). HTTP/1.0 may omit Host.
        if (httpRequest.has("Host") && !shared_.hosts.allowsHost(httpRequest.getHost())) {
            return errorResponse(421, "unknown_host",
                                 "lojald does not answer to this Host; add the name to "
                                 "server.host_names if clients use it");
        }
        if (httpRequest.has("Origin") && !shared_.hosts.allowsOrigin(httpRequest.get("Origin"))) {
            return errorResponse(403, "forbidden_origin",
                                 "requests from pages of another origin are refused");
        }
        try {
            const Poco::URI uri(httpRequest.getURI());
            request.path = uri.getPath();
            for (auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
        } catch (const Poco::SyntaxException&) {
            return errorResponse(400, "invalid_uri", "the request URI is malformed");
        }
        if (request.path.empty() || request.path.front() != '/') {
            return errorResponse(400, "invalid_uri", "the request target must be an absolute path");
        }

        const RouteMatch match = shared_.router.match(request.method, request.path);
        if (match.kind == RouteMatch::Kind::notFound) {
            return errorResponse(404, "not_found", "no such endpoint: " + request.path);
        }
        if (match.kind == RouteMatch::Kind::methodNotAllowed) {
            Response response =
                errorResponse(405, "method_not_allowed",
                              request.method + " is not allowed here; allowed: " + match.allow);
            response.headers.emplace_back("Allow", match.allow);
            return response;
        }
        const Route& route = *match.route;
        routeLabel = route.pathTemplate;
        request.pathParams = match.params;

        request.peer = httpRequest.clientAddress().host().toString();
        if (!route.roles.empty()) {
            std::string authorization = httpRequest.get("Authorization", "");
            if (authorization.empty() && route.tokenInQuery &&
                request.query.count("access_token")) {
                authorization = "Bearer " + request.query["access_token"];
            }
            const std::string session =
                authorization.empty() && shared_.sessions ? sessionCookie(httpRequest) : "";
            if (!session.empty()) {
                // A kiosk page: its cookie, never a token. SameSite=Strict keeps
                // other sites' pages from sending it; a changing request must
                // also name lojald's own page as its Origin.
                request.caller = shared_.sessions(session, request.peer);
                if (!request.caller)
                    return unauthorized("the kiosk session ended: reload the page");
                if (request.method != "GET" && !httpRequest.has("Origin"))
                    return errorResponse(403, "forbidden_origin",
                                         "a kiosk session's changes need an Origin header");
                request.kioskSession = session;
            } else {
                if (authorization.empty())
                    return unauthorized("missing Authorization: Bearer <token>");
                request.caller = shared_.tokens.authenticate(authorization);
            }
            if (!request.caller) return unauthorized("unknown token");
            if (std::find(route.roles.begin(), route.roles.end(), request.caller->role) ==
                route.roles.end()) {
                return errorResponse(403, "forbidden",
                                     std::string("role ") + toString(request.caller->role) +
                                         " may not use this endpoint");
            }
        }

        if (hasBody(httpRequest)) {
            if (auto refused = readBody(httpRequest, request.body, bodyConsumed)) return *refused;
        }
        if (route.jsonBody || (route.optionalJsonBody && !request.body.empty())) {
            if (auto refused = parseJsonBody(httpRequest, request)) return *refused;
        }
        if (route.takeover) {
            route.takeover(httpRequest, httpResponse, request);
            Response sent;
            sent.status = httpResponse.getStatus();
            sent.alreadySent = true;
            return sent;
        }
        return route.handler(request);
    }

    // Up to 64 KiB, whatever the body limit: reading and dropping that much is
    // cheap, and the client then reliably gets the answer (401, 404, 415...).
    static bool discardSmallBody(Poco::Net::HTTPServerRequest& httpRequest) {
        const Poco::Int64 limit = 64 * 1024;
        if (httpRequest.getChunkedTransferEncoding() || !httpRequest.hasContentLength() ||
            httpRequest.getContentLength64() > limit) {
            return false;
        }
        try {
            httpRequest.stream().ignore(std::numeric_limits<std::streamsize>::max());
            return true;
        } catch (const Poco::Exception&) {
            return false;
        }
    }

    // The value of the lojal_kiosk cookie, or "".
    static std::string sessionCookie(const Poco::Net::HTTPServerRequest& httpRequest) {
        Poco::Net::NameValueCollection cookies;
        httpRequest.getCookies(cookies);
        return cookies.get("lojal_kiosk", "");
    }

    static Response unauthorized(const std::string& message) {
        Response response = errorResponse(401, "unauthorized", message);
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"lojal\"");
        return response;
    }

    std::optional<Response> readBody(Poco::Net::HTTPServerRequest& httpRequest, std::string& body,
                                     bool& consumed) {
        const size_t limit = shared_.config.bodyLimitBytes;
        const auto tooLarge = [limit] {
            return errorResponse(413, "payload_too_large",
                                 "the body exceeds " + std::to_string(limit) + " bytes");
        };
        if (httpRequest.hasContentLength() &&
            httpRequest.getContentLength64() > static_cast<Poco::Int64>(limit)) {
            return tooLarge();
        }
        std::istream& in = httpRequest.stream();
        // Read straight into the body: the declared length in one go, chunked
        // bodies (no length up front) in steps, checked against the limit.
        const bool declared = httpRequest.hasContentLength();
        const size_t step =
            declared ? static_cast<size_t>(httpRequest.getContentLength64()) + 1 : 16 * 1024;
        while (in) {
            const size_t before = body.size();
            body.resize(before + step);
            in.read(body.data() + before, static_cast<std::streamsize>(step));
            body.resize(before + static_cast<size_t>(in.gcount()));
            if (body.size() > limit) return tooLarge();
        }
        // The stream ends early when a read timed out (server.request_timeout) or
        // the client hung up: the body is incomplete, whatever was parsed of it.
        const bool complete =
            declared ? body.size() == static_cast<size_t>(httpRequest.getContentLength64())
                     : in.eof() && !in.bad();
        if (!complete) {
            return errorResponse(408, "request_timeout",
                                 "the request body did not arrive within server.request_timeout");
        }
        consumed = true;
        return std::nullopt;
    }

    static std::optional<Response> parseJsonBody(const Poco::Net::HTTPServerRequest& httpRequest,
                                                 Request& request) {
        if (!isJsonContentType(httpRequest.getContentType())) {
            return errorResponse(415, "unsupported_media_type",
                                 "send the body as Content-Type: application/json");
        }
        if (auto error = findJsonSyntaxError(request.body)) {
            return errorResponse(400, "invalid_json", "malformed JSON at " + error->describe());
        }
        // Checked before Poco sees it: Poco 1.11 throws on any top-level scalar
        // ("5", "true"), which would otherwise surface as a 500.
        const size_t first = request.body.find_first_not_of(" \t\r\n");
        if (request.body[first] != '{') {
            return errorResponse(400, "invalid_json", "expected a JSON object");
        }
        Poco::Dynamic::Var parsed;
        try {
            Poco::JSON::Parser parser;
            parsed = parser.parse(request.body);
        } catch (const Poco::Exception& e) {
            // Well-formed but beyond Poco, e.g. an integer past 64 bits.
            return errorResponse(400, "invalid_json", "unsupported JSON value: " + e.message());
        }
        request.json = parsed.extract<Poco::JSON::Object::Ptr>();
        return std::nullopt;
    }

    static void send(Poco::Net::HTTPServerResponse& httpResponse, const Response& response) {
        // Poco echoes the request's version; a garbled one must not reach the status line.
        httpResponse.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        httpResponse.setStatusAndReason(
            static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
        httpResponse.setContentType(response.contentType);
        httpResponse.set("Cache-Control", "no-store");
        httpResponse.set("X-Content-Type-Options", "nosniff");
        for (const auto& [name, value] : response.headers) httpResponse.set(name, value);
        httpResponse.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
        httpResponse.send().write(response.body.data(),
                                  static_cast<std::streamsize>(response.body.size()));
    }

    ApiServer::Shared& shared_;
    std::shared_ptr<void> connectionHold_;
};

// Poco's session, with what it has read ahead of the current request in view.
class ApiSession : public Poco::Net::HTTPServerSession {
  public:
    using HTTPServerSession::HTTPServerSession;
    // Bytes of a next request already read (pipelining): served right away.
    int readAhead() const { return buffered(); }
};

}  // namespace

ApiServer::ApiServer(const ServerConfig& config, const Router& router, const TokenRegistry& tokens,
                     HttpMetrics& metrics)
    : config_(config), log_(Poco::Logger::get("lojal.api")) {
    shared_.reset(new Shared{
        config_, HostPolicy(config_), router, tokens, metrics, inFlight_, {false}, log_, nullptr});
    params_ = new Poco::Net::HTTPServerParams;
    params_->setKeepAlive(true);
    params_->setTimeout(Poco::Timespan(config_.requestTimeoutSeconds, 0));
    params_->setServerName("lojald");
    params_->setSoftwareVersion("lojald");
}

ApiServer::~ApiServer() {
    stop();
}

Status ApiServer::start() {
    if (!config_.tlsListen.empty()) {
        try {
            Poco::Net::initializeSSL();
            tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, config_.tlsKeyFile,
                                          config_.tlsCertFile, "", Poco::Net::Context::VERIFY_NONE,
                                          9, false);
            tls_->disableProtocols(
                Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        } catch (const Poco::Exception& e) {
            return Error{ErrorCode::io,
                         "key 'server.tls_cert_file' / 'server.tls_key_file': " + e.displayText()};
        }
    }
    std::vector<Listener> listeners;
    for (const bool tls : {false, true}) {
        for (const ListenAddress& address : tls ? config_.tlsListen : config_.listen) {
            try {
                Poco::Net::ServerSocket socket;
                socket.bind(Poco::Net::SocketAddress(address.host, address.port), true, false);
                socket.listen(256);
                socket.setBlocking(false);  // the hub accepts until EAGAIN
                listeners.push_back(Listener{socket, tls});
            } catch (const Poco::Exception& e) {
                return Error{ErrorCode::io,
                             "cannot listen on " + address.toString() + ": " + e.displayText()};
            }
        }
    }
    ConnectionHub::Limits limits;
    limits.perPeer = config_.maxConnectionsPerPeer;
    limits.keepAlive = std::chrono::seconds(config_.keepAliveTimeoutSeconds);
    limits.headerTimeout = std::chrono::seconds(config_.headerTimeoutSeconds);
    hub_ = std::make_unique<ConnectionHub>(std::move(listeners), limits,
                                           [this](Connection c) { enqueue(std::move(c)); });
    for (int i = 0; i < config_.threads; ++i) workers_.emplace_back([this] { work(); });
    hub_->start();
    return okStatus();
}

// On the hub's thread: never blocks. A full queue is a busy server: say so.
void ApiServer::enqueue(Connection connection) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() < static_cast<size_t>(config_.maxQueued)) {
            queue_.push_back(std::move(connection));
            ready_.notify_one();
            return;
        }
    }
    ++refusedBusy_;
    const std::string bytes =
        closingErrorMessage(503, "busy", "lojald has too many requests waiting; try again");
    Poco::Net::StreamSocket& socket = connection.socket;
    (void)!sockets::sendNow(socket.impl()->sockfd(), bytes.data(), bytes.size());
}

void ApiServer::work() {
    while (true) {
        Connection connection;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping
            connection = std::move(queue_.front());
            queue_.pop_front();
        }
        serve(std::move(connection));
    }
}

// Requests on one connection while their heads are here; then back to the hub.
void ApiServer::serve(Connection connection) {
    if (connection.tls && !connection.socket.secure()) {
        // The handshake runs at the first read, under the request deadline below.
        try {
            connection.socket = Poco::Net::SecureStreamSocket::attach(connection.socket, tls_);
        } catch (const Poco::Exception& e) {
            log_.debug("TLS from %s failed: %s", connection.peer, e.displayText());
            return;
        }
    }
    Poco::Net::StreamSocket socket = connection.socket;
    const sockets::Handle fd = socket.impl()->sockfd();
    const Poco::Timespan timeout(config_.requestTimeoutSeconds, 0);
    socket.setReceiveTimeout(timeout);
    socket.setSendTimeout(timeout);
    {
        std::lock_guard lock(mutex_);
        serving_.insert(fd);
    }
    ApiSession session(socket, params_);
    bool waitForNext = false;
    while (true) {
        // The head and the body must both arrive by then (server.request_timeout):
        // the hub then shuts the socket for reading and the read in progress ends.
        const uint64_t deadline =
            hub_->arm(fd, std::chrono::steady_clock::now() +
                              std::chrono::seconds(config_.requestTimeoutSeconds));
        bool keepAlive = false;
        bool upgraded = false;
        try {
            Poco::Net::HTTPServerResponseImpl response(session);
            Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
            response.setDate(Poco::Timestamp());
            response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
            const bool reuse =
                !shared_->draining.load() && connection.requests + 1 < config_.maxKeepAliveRequests;
            response.setKeepAlive(reuse && request.getKeepAlive());
            response.set("Server", "lojald");
            if (request.getExpectContinue() &&
                response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
                response.sendContinue();
            ApiRequestHandler(*shared_, connection.hold).handleRequest(request, response);
            ++connection.requests;
            upgraded = response.getStatus() == Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS;
            keepAlive = response.getKeepAlive();
        } catch (const Poco::Net::NoMessageException&) {
            // The client closed between requests, or the deadline ended the head.
        } catch (const Poco::Net::MessageException& e) {
            const std::string bytes = closingErrorMessage(400, "invalid_request",
                                                          "malformed request head: " + e.message());
            (void)!sockets::sendNow(fd, bytes.data(), bytes.size());
        } catch (const Poco::SyntaxException&) {  // Content-Length that is no number
            const std::string bytes = closingErrorMessage(
                400, "invalid_request", "Content-Length must be a decimal number of bytes");
            (void)!sockets::sendNow(fd, bytes.data(), bytes.size());
        } catch (const Poco::Exception& e) {
            log_.debug("connection from %s ended: %s", connection.peer, e.displayText());
        }
        hub_->disarm(deadline);
        if (upgraded || !keepAlive) break;
        // TLS may hold a next request already decrypted: the descriptor would not
        // show it, so it is served here and now.
        if (session.readAhead() == 0 && (!socket.secure() || socket.available() == 0)) {
            waitForNext = true;
            break;
        }
    }
    {
        std::lock_guard lock(mutex_);
        serving_.erase(fd);
    }
    if (waitForNext) {
        connection.socket = session.detachSocket();
        hub_->resume(std::move(connection));
    }
}

void ApiServer::stop() {
    if (!hub_) return;
    shared_->draining = true;  // answers from now on carry Connection: close
    hub_->stopAccepting();
    log_.information("stopping API: waiting for %d request(s) in flight", inFlight_.load());
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(config_.shutdownGraceMilliseconds);
    while (inFlight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    {
        std::lock_guard lock(mutex_);
        if (!serving_.empty()) {
            log_.warning("grace time over: aborting %d request(s) in flight",
                         static_cast<int>(serving_.size()));
        }
        for (sockets::Handle fd : serving_) sockets::shutdownBoth(fd);
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    hub_->stop();  // closes the connections waiting for a request
    {
        std::lock_guard lock(mutex_);
        queue_.clear();
    }
    hub_.reset();
}

void ApiServer::setSessionAuthenticator(SessionAuthenticator authenticator) {
    shared_->sessions = std::move(authenticator);
}

std::vector<Gauge> ApiServer::gauges() const {
    std::vector<Gauge> gauges;
    if (!hub_) return gauges;
    gauges.emplace_back("lojal_http_connections", "HTTP connections open (WebSockets included).",
                        static_cast<double>(hub_->openConnections()));
    const std::string help = "HTTP connections closed by lojald before a request, by reason.";
    gauges.emplace_back("lojal_http_connections_refused_total", help,
                        static_cast<double>(hub_->refusedPerPeer()), "reason=\"per_peer_limit\"",
                        "counter");
    gauges.emplace_back("lojal_http_connections_refused_total", help,
                        static_cast<double>(hub_->headerTimeouts()), "reason=\"header_timeout\"",
                        "counter");
    gauges.emplace_back("lojal_http_connections_refused_total", help,
                        static_cast<double>(hub_->headersTooLarge()), "reason=\"header_too_large\"",
                        "counter");
    gauges.emplace_back("lojal_http_connections_refused_total", help,
                        static_cast<double>(refusedBusy_.load()), "reason=\"busy\"", "counter");
    return gauges;
}

}  // namespace lojal
