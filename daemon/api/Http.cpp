#include "api/Http.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace lojal {

Response jsonResponse(int status, const Poco::JSON::Object& object) {
    std::ostringstream body;
    object.stringify(body);
    Response response;
    response.status = status;
    response.body = body.str();
    return response;
}

Response errorResponse(int status, const std::string& code, const std::string& message,
                       const std::string& path) {
    Poco::JSON::Object detail;
    detail.set("code", code);
    detail.set("message", message);
    if (!path.empty()) detail.set("path", path);
    Poco::JSON::Object root;
    root.set("error", detail);
    return jsonResponse(status, root);
}

std::string closingErrorMessage(int status, const std::string& code, const std::string& message) {
    const Response response = errorResponse(status, code, message);
    std::string reason;
    switch (status) {
        case 400: reason = "Bad Request"; break;
        case 408: reason = "Request Timeout"; break;
        case 431: reason = "Request Header Fields Too Large"; break;
        case 503: reason = "Service Unavailable"; break;
        default: reason = "Error"; break;
    }
    std::string bytes = "HTTP/1.1 " + std::to_string(status) + " ";
    bytes += reason;
    bytes += "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: ";
    bytes += std::to_string(response.body.size());
    bytes += "\r\nConnection: close\r\n\r\n";
    bytes += response.body;
    return bytes;
}

Response serviceResponse(const std::variant<Poco::JSON::Object, Refusal>& outcome, int status) {
    if (auto* refusal = std::get_if<Refusal>(&outcome)) return refusalResponse(*refusal);
    return jsonResponse(status, std::get<Poco::JSON::Object>(outcome));
}

Response refusalResponse(const Refusal& refusal, const std::string& path) {
    Response response = errorResponse(refusal.status, refusal.code, refusal.message, path);
    if (refusal.retryAfterSeconds > 0)
        response.headers.emplace_back("Retry-After", std::to_string(refusal.retryAfterSeconds));
    return response;
}

}  // namespace lojal
