#include "api/ApiServer.h"

#include <limits>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <thread>

#include "api/JsonSyntax.h"

namespace lojal {

struct ApiServer::Shared {
    const ServerConfig& config;
    const Router& router;
    const TokenRegistry& tokens;
    HttpMetrics& metrics;
    std::atomic<int>& inFlight;
    std::atomic<bool> draining{false};
    Poco::Logger& log;
};

namespace {

class InFlightGuard {
  public:
    explicit InFlightGuard(std::atomic<int>& counter) : counter_(counter) { ++counter_; }
    ~InFlightGuard() { --counter_; }

  private:
    std::atomic<int>& counter_;
};

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
    explicit ApiRequestHandler(ApiServer::Shared& shared) : shared_(shared) {}

    void handleRequest(Poco::Net::HTTPServerRequest& httpRequest,
                       Poco::Net::HTTPServerResponse& httpResponse) override {
        InFlightGuard guard(shared_.inFlight);
        const auto started = std::chrono::steady_clock::now();
        std::string routeLabel = "unmatched";
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
        if (!bodyConsumed && !response.alreadySent && response.status != 413)
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
        const std::string& version = httpRequest.getVersion();
        if (version != Poco::Net::HTTPMessage::HTTP_1_1 &&
            version != Poco::Net::HTTPMessage::HTTP_1_0) {
            return errorResponse(400, "invalid_request", "not an HTTP/1.x request");
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

        if (!route.roles.empty()) {
            std::string authorization = httpRequest.get("Authorization", "");
            if (authorization.empty() && route.tokenInQuery &&
                request.query.count("access_token")) {
                authorization = "Bearer " + request.query["access_token"];
            }
            if (authorization.empty()) return unauthorized("missing Authorization: Bearer <token>");
            request.caller = shared_.tokens.authenticate(authorization);
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
        if (route.jsonBody) {
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
        const size_t step = httpRequest.hasContentLength()
                                ? static_cast<size_t>(httpRequest.getContentLength64()) + 1
                                : 16 * 1024;
        while (in) {
            const size_t before = body.size();
            body.resize(before + step);
            in.read(body.data() + before, static_cast<std::streamsize>(step));
            body.resize(before + static_cast<size_t>(in.gcount()));
            if (body.size() > limit) return tooLarge();
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
};

class ApiHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit ApiHandlerFactory(ApiServer::Shared& shared) : shared_(shared) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new ApiRequestHandler(shared_);
    }

  private:
    ApiServer::Shared& shared_;
};

}  // namespace

ApiServer::ApiServer(const ServerConfig& config, const Router& router, const TokenRegistry& tokens,
                     HttpMetrics& metrics)
    : config_(config),
      pool_(2, config.threads, 60, 256 * 1024),
      log_(Poco::Logger::get("lojal.api")) {
    shared_.reset(new Shared{config_, router, tokens, metrics, inFlight_, {false}, log_});
}

ApiServer::~ApiServer() {
    stop();
}

Status ApiServer::start() {
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config_.threads);
    params->setMaxQueued(config_.maxQueued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config_.keepAliveTimeoutSeconds, 0));
    params->setMaxKeepAliveRequests(config_.maxKeepAliveRequests);
    params->setTimeout(Poco::Timespan(config_.requestTimeoutSeconds, 0));
    params->setServerName("lojald");
    params->setSoftwareVersion("lojald");
    Poco::Net::HTTPServerParams::Ptr shared(params);
    for (const ListenAddress& address : config_.listen) {
        try {
            Poco::Net::ServerSocket socket;
            socket.bind(Poco::Net::SocketAddress(address.host, address.port), true, false);
            socket.listen(256);
            servers_.push_back(std::make_unique<Poco::Net::HTTPServer>(
                new ApiHandlerFactory(*shared_), pool_, socket, shared));
        } catch (const Poco::Exception& e) {
            servers_.clear();
            return Error{ErrorCode::io,
                         "cannot listen on " + address.toString() + ": " + e.displayText()};
        }
    }
    for (auto& server : servers_) server->start();
    return okStatus();
}

void ApiServer::stop() {
    if (servers_.empty()) return;
    shared_->draining = true;                      // answers from now on carry Connection: close
    for (auto& server : servers_) server->stop();  // closes the listening sockets only
    log_.information("stopping API: waiting for %d request(s) in flight", inFlight_.load());
    // Not Poco's stopAll(false): it waits for every request in flight with no time
    // limit, and holds a lock that keeps a later abort from getting through.
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(config_.shutdownGraceMilliseconds);
    while (inFlight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (inFlight_.load() > 0) {
        log_.warning("grace time over: aborting %d request(s) in flight", inFlight_.load());
    }
    // Shuts down what is left: idle keep-alive connections and overdue requests.
    for (auto& server : servers_) server->stopAll(true);
    pool_.joinAll();
    servers_.clear();
}

}  // namespace lojal
