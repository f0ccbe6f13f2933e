#pragma once
// The route table: method + path template (with {name} segments) -> roles and a
// handler. Matching is pure, so 404/405 decisions are unit-tested without a server.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/Http.h"
#include "config/Config.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lojal {

using Handler = std::function<Response(const Request&)>;
// For routes that take the connection over (WebSocket): they answer themselves.
using TakeoverHandler = std::function<void(Poco::Net::HTTPServerRequest&,
                                           Poco::Net::HTTPServerResponse&, const Request&)>;

struct Route {
    std::string method;
    std::string pathTemplate;  // also the metrics label
    std::vector<Role> roles;   // empty: no token needed
    bool jsonBody = false;     // the body must be a JSON object
    // A body is optional; when there is one it must be a JSON object.
    bool optionalJsonBody = false;
    Handler handler;
    TakeoverHandler takeover;  // set instead of handler for WebSocket routes
    // Browsers cannot set headers on a WebSocket: such routes also take
    // ?access_token=TOKEN (never logged: lojald logs route templates only).
    bool tokenInQuery = false;
};

// A plain route: method, path template, roles (empty: no token) and handler.
inline Route makeRoute(std::string method, std::string pathTemplate, std::vector<Role> roles,
                       Handler handler, bool jsonBody = false) {
    Route route;
    route.method = std::move(method);
    route.pathTemplate = std::move(pathTemplate);
    route.roles = std::move(roles);
    route.handler = std::move(handler);
    route.jsonBody = jsonBody;
    return route;
}

struct RouteMatch {
    enum class Kind { found, notFound, methodNotAllowed } kind = Kind::notFound;
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::string allow;  // for 405: the methods the path does take, e.g. "GET, PUT"
};

class Router {
  public:
    void add(Route route);
    RouteMatch match(std::string_view method, std::string_view path) const;

  private:
    std::vector<Route> routes_;
};

}  // namespace lojal
