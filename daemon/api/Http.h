#pragma once
// The request and response values that route handlers see. Handlers are plain
// functions of a Request; Poco's server objects stay inside ApiServer.

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/Auth.h"
#include "signup/RequestFields.h"

namespace lojal {

struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> pathParams;  // from {name} segments of the route
    std::map<std::string, std::string> query;
    std::optional<std::string> idempotencyKey;  // the Idempotency-Key header, when sent
    std::string body;
    Poco::JSON::Object::Ptr json;  // set when the route takes a JSON body
    std::optional<Caller> caller;
    std::string peer;          // the client's IP address
    std::string kioskSession;  // the kiosk session id, when its cookie authenticated the call
    // The connection's place under its peer's cap: a route that keeps the
    // connection after the request (a WebSocket stream) keeps this too.
    std::shared_ptr<void> connectionHold;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool alreadySent = false;  // a takeover route answered on its own
};

Response jsonResponse(int status, const Poco::JSON::Object& object);
// The one error shape: {"error":{"code":"...","message":"..."}}. Codes are listed
// in docs/API.md and never change meaning.
// path, when given, is the JSON path of the faulty field in the request body.
Response errorResponse(int status, const std::string& code, const std::string& message,
                       const std::string& path = "");
// An error in that shape as the whole HTTP/1.1 message, with Connection: close,
// for the places that answer before or outside a Poco request (the connection
// hub, a head Poco could not parse).
std::string closingErrorMessage(int status, const std::string& code, const std::string& message);
// A service's refusal in that shape, with Retry-After when the refusal has one.
Response refusalResponse(const Refusal& refusal, const std::string& path = "");
// A service's answer: its JSON with status, or its refusal.
Response serviceResponse(const std::variant<Poco::JSON::Object, Refusal>& outcome, int status);

}  // namespace lojal
