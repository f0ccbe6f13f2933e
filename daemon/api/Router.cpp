#include "api/Router.h"

namespace lojal {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        const size_t end = std::min(path.find('/', pos), path.size());
        parts.push_back(path.substr(pos, end - pos));
        pos = end;
    }
    return parts;
}

bool matchPath(std::string_view pathTemplate, std::string_view path,
               std::map<std::string, std::string>& params) {
    const auto want = segments(pathTemplate);
    const auto have = segments(path);
    // A last segment {name+} takes the rest of the path (one or more segments).
    const bool rest = !want.empty() && want.back().size() > 3 &&
                      want.back().substr(want.back().size() - 2) == "+}";
    if (rest ? have.size() < want.size() : want.size() != have.size()) return false;
    std::map<std::string, std::string> found;
    for (size_t i = 0; i < want.size(); ++i) {
        const auto& w = want[i];
        if (rest && i + 1 == want.size()) {
            const size_t from = static_cast<size_t>(have[i].data() - path.data());
            found[std::string(w.substr(1, w.size() - 3))] = std::string(path.substr(from));
        } else if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
            found[std::string(w.substr(1, w.size() - 2))] = std::string(have[i]);
        } else if (w != have[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

void Router::add(Route route) {
    routes_.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
    RouteMatch result;
    // A trailing slash or doubled slashes are a different resource: be strict
    // (a template that itself ends in '/', such as /kiosk/, matches only itself).
    if (path.empty() || path.front() != '/' || path.find("//") != std::string_view::npos)
        return result;
    if (path.size() > 1 && path.back() == '/') {
        for (const Route& route : routes_) {
            if (route.pathTemplate != path) continue;
            if (route.method == method) {
                result.kind = RouteMatch::Kind::found;
                result.route = &route;
                return result;
            }
            result.kind = RouteMatch::Kind::methodNotAllowed;
            result.allow += (result.allow.empty() ? "" : ", ") + route.method;
        }
        return result;
    }
    for (const Route& route : routes_) {
        if (route.pathTemplate.size() > 1 && route.pathTemplate.back() == '/') continue;
        std::map<std::string, std::string> params;
        if (!matchPath(route.pathTemplate, path, params)) continue;
        if (route.method == method) {
            result.kind = RouteMatch::Kind::found;
            result.route = &route;
            result.params = std::move(params);
            return result;
        }
        result.kind = RouteMatch::Kind::methodNotAllowed;
        result.allow += (result.allow.empty() ? "" : ", ") + route.method;
    }
    return result;
}

}  // namespace lojal
