#include "api/TerminalRoutes.h"

namespace lojal {
namespace {

Response run(DeviceManager& devices, const Request& request, const std::string& command) {
    const std::string& terminal = request.pathParams.at("id");
    const Poco::JSON::Object noArgs;
    const auto result =
        devices.command(terminal, "zvt", command, request.json ? *request.json : noArgs);
    if (result) {
        Poco::JSON::Object body = *result;
        body.set("terminal", terminal);
        if (command == "flow") return jsonResponse(200, body);
        body.set("events", "/v1/events (types terminal and card)");
        return jsonResponse(202, body);
    }
    const Error& error = result.error();
    switch (error.code) {
        case ErrorCode::notFound: return errorResponse(404, "terminal_not_found", error.message);
        case ErrorCode::io:
        case ErrorCode::timeout: return errorResponse(503, "terminal_unavailable", error.message);
        case ErrorCode::busy: return errorResponse(409, "flow_in_progress", error.message);
        case ErrorCode::arg:
            if (command == "abort") return errorResponse(409, "no_flow_running", error.message);
            return errorResponse(
                400, "invalid_field", error.message,
                error.message.starts_with("'reference'") ? "$.reference" : "$.amount");
        default: return errorResponse(400, "unsupported", error.message);
    }
}

}  // namespace

void addTerminalRoutes(Router& router, DeviceManager& devices) {
    const auto command = [&devices](const char* name) {
        return [&devices, name](const Request& request) { return run(devices, request, name); };
    };
    // A read may carry the register's {"reference":...}; a plain POST still works.
    Route readCard =
        makeRoute("POST", "/v1/terminals/{id}/read-card", {Role::pos}, command("read-card"));
    readCard.optionalJsonBody = true;
    router.add(std::move(readCard));
    router.add(
        makeRoute("POST", "/v1/terminals/{id}/payments", {Role::pos}, command("payment"), true));
    router.add(makeRoute("POST", "/v1/terminals/{id}/status", {Role::pos, Role::admin},
                         command("status")));
    router.add(makeRoute("POST", "/v1/terminals/{id}/log-off", {Role::pos, Role::admin},
                         command("log-off")));
    router.add(makeRoute("POST", "/v1/terminals/{id}/abort", {Role::pos}, command("abort")));
    router.add(
        makeRoute("GET", "/v1/terminals/{id}/flow", {Role::pos, Role::admin}, command("flow")));
}

}  // namespace lojal
