#include "api/SystemRoutes.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <fstream>

#include "api/ApiServer.h"
#include "core/Version.h"
#include "signup/Phone.h"

namespace lojal {

long long residentMemoryBytes() {
    std::ifstream statm("/proc/self/statm");
    long long pages = 0;
    long long resident = 0;
    if (!(statm >> pages >> resident)) return 0;
    return resident * 4096;
}

namespace {

Response health(SystemContext& context) {
    const DatabaseHealth database = context.database.health();
    Poco::JSON::Object db;
    db.set("state", database.ok ? "ok" : "error");
    if (!database.ok) db.set("detail", database.detail);
    db.set("schema_version", database.schemaVersion);
    Poco::JSON::Object body;
    body.set("status", database.ok ? "ok" : "degraded");
    body.set("version", kLojalVersion);
    // The local API's version: its major is the /v1 in every path; liblojal
    // refuses a lojald of another major.
    body.set("api_version", "1.0");
    body.set("store_id", context.config.store.id);
    body.set("phone_validation", phoneValidation());
    body.set("database", db);
    return jsonResponse(database.ok ? 200 : 503, body);
}

Response whoami(const Request& request) {
    Poco::JSON::Object body;
    body.set("token", request.caller->tokenName);
    body.set("role", toString(request.caller->role));
    return jsonResponse(200, body);
}

Response metrics(SystemContext& context) {
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - context.startedAt).count();
    std::vector<Gauge> gauges = {
        {"lojal_uptime_seconds", "Seconds since lojald started.", uptime},
        {"lojal_database_size_bytes", "Database file plus write-ahead log, in bytes.",
         static_cast<double>(context.database.sizeOnDisk())},
        {"lojal_http_requests_in_flight", "HTTP requests being handled now.",
         static_cast<double>(context.server ? context.server->inFlight() : 0)},
        {"process_resident_memory_bytes", "Resident memory size in bytes.",
         static_cast<double>(residentMemoryBytes())},
    };
    if (context.extraGauges) {
        for (Gauge& gauge : context.extraGauges()) gauges.push_back(std::move(gauge));
    }
    Response response;
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    response.body = context.metrics.render(gauges);
    return response;
}

Response setLogLevel(const Request& request) {
    const auto field = request.json->get("level");
    if (field.isEmpty()) return errorResponse(400, "missing_field", "field 'level' is required");
    if (!field.isString())
        return errorResponse(400, "invalid_field", "field 'level' must be a string");
    const std::string level = field.extract<std::string>();
    // The documented names only: Poco would also take "3", "none" and any case.
    if (!isLogLevelName(level)) {
        return errorResponse(400, "invalid_field",
                             "field 'level' must be one of fatal, critical, error, warning, "
                             "notice, information, debug, trace");
    }
    // Logged before the change, so even a change to "fatal" leaves its trace.
    Poco::Logger::get("lojal.api")
        .notice("log level changes from %s to %s (token %s)",
                logLevelName(Poco::Logger::get("").getLevel()), level, request.caller->tokenName);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
    Poco::JSON::Object body;
    body.set("level", level);
    return jsonResponse(200, body);
}

}  // namespace

void addSystemRoutes(Router& router, SystemContext& context) {
    const std::vector<Role> anyRole(std::begin(kClientRoles), std::end(kClientRoles));
    router.add(
        makeRoute("GET", "/v1/health", {}, [&context](const Request&) { return health(context); }));
    router.add(makeRoute("GET", "/v1/whoami", anyRole, whoami));
    router.add(makeRoute("GET", "/v1/config", {Role::admin}, [&context](const Request&) {
        return jsonResponse(200, toRedactedJson(context.config));
    }));
    router.add(makeRoute("GET", "/metrics", {Role::admin, Role::monitor},
                         [&context](const Request&) { return metrics(context); }));
    router.add(makeRoute("PUT", "/v1/log-level", {Role::admin}, setLogLevel, true));
}

}  // namespace lojal
