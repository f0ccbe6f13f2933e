#include "alerts/AlertService.h"

#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/URI.h>

#include <filesystem>
#include <sstream>

#include "VerifiedHttp.h"
#include "core/Time.h"

namespace lojal {

namespace {

constexpr int64_t kClockJumpHoldMs = 3600 * 1000;  // a jump stays reported for an hour
constexpr int kWebhookMaxAttempts = 200;           // about a day at the backoff cap

alerts::Thresholds thresholdsFrom(const AlertsConfig& config) {
    alerts::Thresholds t;
    t.crmUnreachableMinutes = config.crmUnreachableMinutes;
    t.backlogMinutes = config.backlogMinutes;
    t.deviceAbsentMinutes = config.deviceAbsentMinutes;
    t.smsFailureRatio = config.smsFailurePercent / 100.0;
    t.smsMinAttempts = config.smsMinAttempts;
    t.diskFreePercent = config.diskFreePercent;
    t.diskFullDays = config.diskFullDays;
    t.clockJumpSeconds = config.clockJumpSeconds;
    return t;
}

int64_t steadyMillisNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Poco::JSON::Object toJson(const alerts::Alert& alert, int64_t sinceMs) {
    Poco::JSON::Object item;
    item.set("id", alert.id);
    item.set("severity", alerts::toString(alert.severity));
    item.set("since", isoUtcFromMillis(sinceMs));
    item.set("message", alert.message);
    return item;
}

std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

}  // namespace

AlertService::AlertService(const Config& config, Database& database, EventRing& events,
                           AlertSources sources, std::function<void()> onQueued)
    : config_(config),
      database_(database),
      events_(events),
      sources_(std::move(sources)),
      onQueued_(std::move(onQueued)),
      thresholds_(thresholdsFrom(config.alerts)),
      log_(Poco::Logger::get("lojal.alerts")),
      diskTrend_(config.alerts.diskTrendWindowSeconds * 1000LL,
                 config.alerts.diskTrendMinSeconds * 1000LL),
      smsWindow_(3600 * 1000LL) {}

alerts::Readings AlertService::read() {
    alerts::Readings r;
    r.nowMs = unixMillisNow();
    if (sources_.crmUnreachableSinceMs) r.crmUnreachableSinceMs = sources_.crmUnreachableSinceMs();
    if (sources_.crmPausedReason) r.crmPausedReason = sources_.crmPausedReason();
    if (sources_.devices) r.devices = sources_.devices();
    if (sources_.worldReadableConfig) r.worldReadableConfig = sources_.worldReadableConfig();
    if (auto stats = Outbox(database_).stats()) {
        for (const auto& [topic, topicStats] : *stats) {
            if (topicStats.dead > 0) r.deadLetters[topic] = topicStats.dead;
            if (topic == "receipt" && topicStats.backlog > 0)
                r.oldestUnsyncedReceiptMs = topicStats.oldestBacklogMs;
        }
    }
    if (sources_.smsTotals) {
        const auto [attempts, failures] = sources_.smsTotals();
        smsWindow_.add(r.nowMs, attempts, failures);
        r.smsAttempts = smsWindow_.attempts();
        r.smsFailures = smsWindow_.failures();
    }
    const std::string directory =
        Poco::Path(Poco::Path(database_.path()).absolute()).parent().toString();
    std::error_code failed;  // statvfs on Linux, GetDiskFreeSpaceEx on Windows
    const std::filesystem::space_info disk = std::filesystem::space(directory, failed);
    if (!failed) {
        r.diskFreeBytes = static_cast<uint64_t>(disk.available);  // what lojald may use
        r.diskTotalBytes = static_cast<uint64_t>(disk.capacity);
        diskTrend_.add(r.nowMs, *r.diskFreeBytes);
        r.daysUntilDiskFull = diskTrend_.daysUntilFull();
    }
    const int64_t steady = steadyMillisNow();
    (void)clock_.observe(r.nowMs, steady, thresholds_.clockJumpSeconds * 1000LL);
    r.clockJumpMs = clock_.recentJump(steady, kClockJumpHoldMs);
    return r;
}

void AlertService::evaluateOnce() {
    const alerts::Readings readings = read();
    const std::vector<alerts::Alert> holding = alerts::evaluate(readings, thresholds_);
    std::vector<alerts::AlertChange> changes;
    {
        std::lock_guard lock(mutex_);
        changes = book_.update(holding, readings.nowMs);
        for (const auto& change : changes) raised_ += change.raised ? 1 : 0;
        lastEvaluatedMs_ = readings.nowMs;
    }
    for (const auto& change : changes) report(change, readings.nowMs);
}

void AlertService::report(const alerts::AlertChange& change, int64_t nowMs) {
    const alerts::Alert& alert = change.alert;
    if (change.raised)
        log_.warning("ALERT %s (%s): %s", alert.id, std::string(alerts::toString(alert.severity)),
                     alert.message);
    else
        log_.notice("alert %s cleared (raised %s)", alert.id, isoUtcFromMillis(change.sinceMs));
    Poco::JSON::Object data = toJson(alert, change.sinceMs);
    data.set("state", change.raised ? "raised" : "cleared");
    events_.publish("alert", "lojald", data);
    if (config_.alerts.webhookUrl.empty()) return;
    data.set("store_id", config_.store.id);
    data.set("at", isoUtcFromMillis(nowMs));
    const std::string key =
        alert.id + (change.raised ? ":raised:" : ":cleared:") + std::to_string(change.sinceMs);
    auto queued = database_.write([&](Transaction& tx) -> Status {
        auto id = enqueueOutbox(tx, "alert", key, stringify(data), nowMs);
        if (!id) return id.error();
        return okStatus();
    });
    if (!queued) {
        log_.error("alert %s not queued for the webhook: %s", alert.id, queued.error().message);
    } else if (onQueued_) {
        onQueued_();
    }
}

Poco::JSON::Array AlertService::list() const {
    std::lock_guard lock(mutex_);
    Poco::JSON::Array list;
    for (const alerts::ActiveAlert& active : book_.active())
        list.add(toJson(active.alert, active.sinceMs));
    return list;
}

std::optional<int64_t> AlertService::lastEvaluatedMs() const {
    std::lock_guard lock(mutex_);
    return lastEvaluatedMs_;
}

std::vector<Gauge> AlertService::gauges() const {
    std::lock_guard lock(mutex_);
    std::vector<Gauge> gauges;
    for (const alerts::ActiveAlert& active : book_.active()) {
        gauges.emplace_back("lojal_alert_active", "1 for each alert that holds now, by id.", 1.0,
                            promLabel("id", active.alert.id) + "," +
                                promLabel("severity", alerts::toString(active.alert.severity)));
    }
    gauges.emplace_back("lojal_alerts_active", "Alerts that hold now.",
                        static_cast<double>(book_.active().size()));
    gauges.emplace_back("lojal_alerts_raised_total", "Alerts raised since start.",
                        static_cast<double>(raised_), "", "counter");
    return gauges;
}

AlertWebhook::AlertWebhook(const AlertsConfig& config, Database& database)
    : config_(config),
      outbox_(database),
      log_(Poco::Logger::get("lojal.alerts")),
      sessions_(config.webhookCaFile),
      drainer_(outbox_, "alert", 10,
               [this](const std::vector<OutboxItem>& items) { deliver(items); }) {}

AlertWebhook::~AlertWebhook() {
    stop();
}

void AlertWebhook::start() {
    drainer_.start();
}

void AlertWebhook::stop() {
    drainer_.stop();
}

void AlertWebhook::wake() {
    drainer_.wake();
}

void AlertWebhook::deliver(const std::vector<OutboxItem>& items) {
    for (const OutboxItem& item : items) {
        plugins::HttpCall call;
        call.method = "POST";
        call.uri = Poco::URI(config_.webhookUrl);
        call.body = item.payload;
        call.headers.emplace_back("User-Agent", "lojald");
        call.headers.emplace_back("Idempotency-Key", item.key);
        std::string why;
        const auto answer = plugins::exchange(sessions_, call, why);
        const int64_t now = unixMillisNow();
        if (answer && answer->status >= 200 && answer->status < 300) {
            (void)outbox_.complete(item.id, nullptr);
            continue;
        }
        if (answer) why = "HTTP " + std::to_string(answer->status);
        const bool refused = answer && answer->status >= 400 && answer->status < 500 &&
                             answer->status != 408 && answer->status != 429;
        if (refused || item.attempts >= kWebhookMaxAttempts) {
            log_.error("alert webhook gave up on %s: %s", item.key, why);
            (void)outbox_.deadLetter(item.id, why, nullptr);
            continue;
        }
        if (item.attempts == 1) log_.warning("alert webhook: %s; retrying", why);
        (void)outbox_.retryLater(
            item.id, now + backoffDelayMs(item.attempts, 1000, 300000, random_), why, nullptr);
    }
}

}  // namespace lojal
