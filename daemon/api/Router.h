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

namespace lojal {

using Handler = std::function<Response(const Request&)>;

struct Route {
    std::string method;
    std::string pathTemplate;  // also the metrics label
    std::vector<Role> roles;   // empty: no token needed
    bool jsonBody = false;     // the body must be a JSON object
    Handler handler;
};

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
