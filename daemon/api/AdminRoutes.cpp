#include "api/AdminRoutes.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <charconv>

#include "api/Http.h"
#include "core/Time.h"
#include "core/Version.h"
#include "outbox/Outbox.h"

namespace lojal {

namespace {

Poco::JSON::Object rowJson(const OutboxRow& row) {
    Poco::JSON::Object item;
    item.set("id", row.id);
    item.set("topic", row.topic);
    item.set("key", row.key);
    item.set("state", row.state);
    item.set("attempts", row.attempts);
    item.set("last_error", row.lastError);
    item.set("created_at", isoUtcFromMillis(row.createdAtMs));
    item.set("updated_at", isoUtcFromMillis(row.updatedAtMs));
    return item;
}

Response status(AdminRoutesContext& c) {
    const int64_t now = unixMillisNow();
    Poco::JSON::Object body;
    body.set("version", kLojalVersion);
    body.set("store_id", c.config.store.id);
    body.set("uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now() - c.startedAt)
                                   .count());
    body.set("log_level", logLevelName(Poco::Logger::get("").getLevel()));
    const DatabaseHealth health = c.database.health();
    Poco::JSON::Object database;
    database.set("path", c.config.database.path);
    database.set("state", health.ok ? "ok" : "error");
    database.set("schema_version", health.schemaVersion);
    database.set("size_bytes", c.database.sizeOnDisk());
    body.set("database", database);
    Poco::JSON::Array listeners;
    for (const auto& address : c.config.server.listen)
        listeners.add("http://" + address.toString());
    for (const auto& address : c.config.server.tlsListen)
        listeners.add("https://" + address.toString());
    body.set("listeners", listeners);
    Poco::JSON::Object crm;
    crm.set("sync", c.config.crm.sync);
    crm.set("connector", c.config.crm.sync ? c.config.crm.connector : "");
    crm.set("state", c.config.crm.sync ? CrmHealth::toString(c.members.crmState()) : "off");
    crm.set("paused", c.crmPaused ? c.crmPaused() : false);
    body.set("crm", crm);
    Poco::JSON::Object queues;
    auto stats = Outbox(c.database).stats();
    for (const std::string& topic : outboxTopics()) {
        Outbox::TopicStats topicStats;
        if (stats && stats->count(topic)) topicStats = stats->at(topic);
        Poco::JSON::Object queue;
        queue.set("backlog", topicStats.backlog);
        queue.set("oldest_age_seconds",
                  topicStats.backlog > 0 ? (now - topicStats.oldestBacklogMs) / 1000 : 0);
        queue.set("dead", topicStats.dead);
        queues.set(topic, queue);
    }
    body.set("queues", queues);
    body.set("devices", c.devices.snapshot());
    body.set("alerts", c.alerts.list());
    return jsonResponse(200, body);
}

std::optional<int64_t> parseId(const std::string& text) {
    int64_t id = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

Response queueList(AdminRoutesContext& c, const Request& request) {
    const auto param = [&](const char* name) {
        const auto found = request.query.find(name);
        return found == request.query.end() ? std::string() : found->second;
    };
    const std::string state = param("state").empty() ? "dead" : param("state");
    if (state != "dead" && state != "queued" && state != "sending" && state != "done" &&
        state != "all")
        return errorResponse(400, "invalid_field",
                             "state must be dead, queued, sending, done or all");
    int limit = 100;
    if (!param("limit").empty()) {
        const auto parsed = parseId(param("limit"));
        if (!parsed || *parsed > 1000)
            return errorResponse(400, "invalid_field", "limit must be 1 to 1000");
        limit = static_cast<int>(*parsed);
    }
    auto rows = Outbox(c.database).list(state == "all" ? "" : state, param("topic"), limit);
    if (!rows) return errorResponse(503, "storage_unavailable", rows.error().message);
    Poco::JSON::Array items;
    for (const OutboxRow& row : *rows) items.add(rowJson(row));
    Poco::JSON::Object body;
    body.set("items", items);
    return jsonResponse(200, body);
}

Response queueShow(AdminRoutesContext& c, const Request& request) {
    const auto id = parseId(request.pathParams.at("id"));
    if (!id) return errorResponse(400, "invalid_field", "the id is a positive integer");
    auto row = Outbox(c.database).find(*id);
    if (!row) return errorResponse(503, "storage_unavailable", row.error().message);
    if (!*row) return errorResponse(404, "not_found", "no queue item " + std::to_string(*id));
    return jsonResponse(200, rowJson(**row));
}

Response queueRetry(AdminRoutesContext& c, const Request& request, int64_t id,
                    const std::string& topic) {
    Poco::Logger& log = Poco::Logger::get("lojal.admin");
    if (!topic.empty() && !isRetryableTopic(topic))
        return errorResponse(400, "not_retryable",
                             "topic '" + topic +
                                 "' is not sent again by hand (an SMS is stale by then); "
                                 "retryable: receipt, signup, alert, erasure");
    if (id != 0) {
        auto row = Outbox(c.database).find(id);
        if (!row) return errorResponse(503, "storage_unavailable", row.error().message);
        if (!*row) return errorResponse(404, "not_found", "no queue item " + std::to_string(id));
        if (!isRetryableTopic((*row)->topic))
            return errorResponse(400, "not_retryable",
                                 "queue item " + std::to_string(id) + " has topic '" +
                                     (*row)->topic + "', which is not sent again by hand");
        if ((*row)->state != "dead")
            return errorResponse(409, "not_dead",
                                 "queue item " + std::to_string(id) + " is " + (*row)->state +
                                     ", not a dead letter");
    }
    auto requeued = Outbox(c.database).requeueDead(id, topic, unixMillisNow());
    if (!requeued) return errorResponse(503, "storage_unavailable", requeued.error().message);
    log.notice("%d dead letter(s) requeued by token %s (%s)", *requeued, request.caller->tokenName,
               id != 0 ? "item " + std::to_string(id)
                       : "all dead" + (topic.empty() ? std::string() : " of topic " + topic));
    if (c.wake) {
        for (const std::string& each : retryableTopics()) c.wake(each);
    }
    Poco::JSON::Object body;
    body.set("requeued", *requeued);
    return jsonResponse(200, body);
}

Response reloadTokens(AdminRoutesContext& c, const Request& request) {
    if (c.config.auth.tokensFile.empty())
        return errorResponse(409, "no_tokens_file", "[auth] tokens_file is not set");
    auto reloaded = c.reloadTokens();
    if (!reloaded) return errorResponse(422, "invalid_tokens_file", reloaded.error().message);
    Poco::Logger::get("lojal.admin")
        .notice("tokens reloaded by token %s: %z tokens", request.caller->tokenName, *reloaded);
    Poco::JSON::Object body;
    body.set("tokens", static_cast<Poco::UInt64>(*reloaded));
    return jsonResponse(200, body);
}

}  // namespace

void addAdminRoutes(Router& router, AdminRoutesContext& c) {
    router.add(makeRoute("GET", "/v1/status", {Role::admin, Role::monitor},
                         [&c](const Request&) { return status(c); }));
    router.add(makeRoute("GET", "/v1/alerts", {Role::admin, Role::monitor}, [&c](const Request&) {
        Poco::JSON::Object body;
        body.set("alerts", c.alerts.list());
        const std::optional<int64_t> evaluated = c.alerts.lastEvaluatedMs();
        body.set("evaluated_at", evaluated ? Poco::Dynamic::Var(isoUtcFromMillis(*evaluated))
                                           : Poco::Dynamic::Var());
        return jsonResponse(200, body);
    }));
    router.add(makeRoute("GET", "/v1/admin/queue", {Role::admin},
                         [&c](const Request& request) { return queueList(c, request); }));
    router.add(makeRoute("GET", "/v1/admin/queue/{id}", {Role::admin},
                         [&c](const Request& request) { return queueShow(c, request); }));
    router.add(makeRoute(
        "POST", "/v1/admin/queue/{id}/retry", {Role::admin}, [&c](const Request& request) {
            const auto id = parseId(request.pathParams.at("id"));
            if (!id) return errorResponse(400, "invalid_field", "the id is a positive integer");
            return queueRetry(c, request, *id, "");
        }));
    router.add(makeRoute(
        "POST", "/v1/admin/queue/retry", {Role::admin},
        [&c](const Request& request) {
            const auto topic = request.json->get("topic");
            if (!topic.isEmpty() && !topic.isString())
                return errorResponse(400, "invalid_field", "'topic' must be a string", "$.topic");
            return queueRetry(c, request, 0,
                              topic.isEmpty() ? std::string() : topic.extract<std::string>());
        },
        true));
    router.add(makeRoute("POST", "/v1/admin/tokens/reload", {Role::admin},
                         [&c](const Request& request) { return reloadTokens(c, request); }));
}

}  // namespace lojal
