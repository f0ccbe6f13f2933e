#include "alerts/AlertRules.h"

#include <cmath>
#include <cstdio>

namespace lojal::alerts {

namespace {

constexpr int64_t kMinuteMs = 60 * 1000;

std::string minutes(int64_t ms) {
    const int64_t value = ms / kMinuteMs;
    return std::to_string(value) + (value == 1 ? " minute" : " minutes");
}

std::string fixed(double value, const char* format) {
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

std::string plural(int64_t count, const std::string& one, const std::string& many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

std::string gib(uint64_t bytes) {
    return fixed(static_cast<double>(bytes) / (1024.0 * 1024 * 1024), "%.2f") + " GiB";
}

void crmRules(const Readings& r, const Thresholds& t, std::vector<Alert>& out) {
    if (r.crmPausedReason) {
        out.push_back({"crm_key_refused", Severity::critical,
                       "The CRM refuses lojald's API key (" + *r.crmPausedReason +
                           "): receipts and sign-ups stay queued until [crm] api_key is fixed."});
    }
    if (r.crmUnreachableSinceMs &&
        r.nowMs - *r.crmUnreachableSinceMs >= t.crmUnreachableMinutes * kMinuteMs) {
        out.push_back({"crm_unreachable", Severity::critical,
                       "The CRM has not answered for " +
                           minutes(r.nowMs - *r.crmUnreachableSinceMs) +
                           ": customers are identified from the member cache and receipts wait "
                           "in the queue."});
    }
    if (r.oldestUnsyncedReceiptMs &&
        r.nowMs - *r.oldestUnsyncedReceiptMs >= t.backlogMinutes * kMinuteMs) {
        out.push_back({"receipt_backlog", Severity::warning,
                       "The oldest receipt not yet in the CRM is " +
                           minutes(r.nowMs - *r.oldestUnsyncedReceiptMs) + " old."});
    }
    for (const auto& [topic, count] : r.deadLetters) {
        if (count <= 0) continue;
        out.push_back({"dead_letters:" + topic, Severity::warning,
                       plural(count, "item", "items") + " of topic '" + topic +
                           "' could not be delivered and wait for a fix: lojalctl queue list "
                           "shows why, lojalctl queue retry sends them again."});
    }
}

void deviceRules(const Readings& r, const Thresholds& t, std::vector<Alert>& out) {
    for (const DeviceReading& device : r.devices) {
        if (device.ready || r.nowMs - device.notReadySinceMs < t.deviceAbsentMinutes * kMinuteMs)
            continue;
        out.push_back({"device_absent:" + device.name, Severity::warning,
                       "Device " + device.name + " has not been ready for " +
                           minutes(r.nowMs - device.notReadySinceMs) +
                           (device.reason.empty() ? "." : " (" + device.reason + ").")});
    }
}

void smsRules(const Readings& r, const Thresholds& t, std::vector<Alert>& out) {
    if (r.smsAttempts < t.smsMinAttempts || r.smsAttempts <= 0) return;
    const double ratio = static_cast<double>(r.smsFailures) / static_cast<double>(r.smsAttempts);
    if (ratio <= t.smsFailureRatio) return;
    out.push_back({"sms_failures", Severity::warning,
                   fixed(ratio * 100, "%.0f") + " % of SMS attempts in the last hour failed (" +
                       std::to_string(r.smsFailures) + " of " + std::to_string(r.smsAttempts) +
                       "): check the SMS gateway."});
}

void hostRules(const Readings& r, const Thresholds& t, std::vector<Alert>& out) {
    if (r.diskFreeBytes && r.diskTotalBytes > 0) {
        const double percent =
            100.0 * static_cast<double>(*r.diskFreeBytes) / static_cast<double>(r.diskTotalBytes);
        if (percent < t.diskFreePercent) {
            out.push_back({"disk_low", Severity::critical,
                           "The database's disk has " + gib(*r.diskFreeBytes) + " free (" +
                               fixed(percent, "%.1f") +
                               " %): lojald stops taking receipts when "
                               "it is full."});
        }
    }
    if (r.daysUntilDiskFull && *r.daysUntilDiskFull < t.diskFullDays) {
        out.push_back({"disk_full_predicted", Severity::warning,
                       "At the current growth rate the database's disk is full in " +
                           fixed(*r.daysUntilDiskFull, "%.1f") + " days."});
    }
    if (r.clockJumpMs) {
        out.push_back({"clock_jump", Severity::warning,
                       "The system clock jumped by " +
                           fixed(static_cast<double>(*r.clockJumpMs) / 1000.0, "%+.0f") +
                           " s: receipt and SMS times around it may be off; check NTP."});
    }
    if (!r.worldReadableConfig.empty()) {
        out.push_back({"config_readable", Severity::warning,
                       "Configuration " + r.worldReadableConfig +
                           " holds secrets and is readable by every user: chgrp lojal it and "
                           "chmod 0640, or move the secrets to files (KEY_file = PATH)."});
    }
}

}  // namespace

const char* toString(Severity severity) {
    return severity == Severity::critical ? "critical" : "warning";
}

std::vector<Alert> evaluate(const Readings& readings, const Thresholds& thresholds) {
    std::vector<Alert> alerts;
    crmRules(readings, thresholds, alerts);
    deviceRules(readings, thresholds, alerts);
    smsRules(readings, thresholds, alerts);
    hostRules(readings, thresholds, alerts);
    return alerts;
}

std::vector<AlertChange> AlertBook::update(const std::vector<Alert>& holding, int64_t nowMs) {
    std::vector<AlertChange> changes;
    std::map<std::string, ActiveAlert> next;
    for (const Alert& alert : holding) {
        const auto known = active_.find(alert.id);
        const int64_t since = known == active_.end() ? nowMs : known->second.sinceMs;
        if (known == active_.end()) changes.push_back({alert, true, since});
        next[alert.id] = {alert, since};
    }
    for (const auto& [id, old] : active_) {
        if (!next.count(id)) changes.push_back({old.alert, false, old.sinceMs});
    }
    active_ = std::move(next);
    return changes;
}

std::vector<ActiveAlert> AlertBook::active() const {
    std::vector<ActiveAlert> list;
    for (const auto& [id, alert] : active_) list.push_back(alert);
    return list;
}

void DiskTrend::add(int64_t nowMs, uint64_t freeBytes) {
    samples_.emplace_back(nowMs, static_cast<double>(freeBytes));
    while (!samples_.empty() && nowMs - samples_.front().first > windowMs_) samples_.pop_front();
}

std::optional<double> DiskTrend::daysUntilFull() const {
    if (samples_.size() < 3 || samples_.back().first - samples_.front().first < minSpanMs_)
        return std::nullopt;
    // Least squares of free bytes over time (ms from the first sample).
    const double t0 = static_cast<double>(samples_.front().first);
    double sumT = 0, sumF = 0, sumTT = 0, sumTF = 0;
    for (const auto& [at, free] : samples_) {
        const double t = static_cast<double>(at) - t0;
        sumT += t;
        sumF += free;
        sumTT += t * t;
        sumTF += t * free;
    }
    const double n = static_cast<double>(samples_.size());
    const double denominator = n * sumTT - sumT * sumT;
    if (denominator <= 0) return std::nullopt;
    const double slope = (n * sumTF - sumT * sumF) / denominator;  // bytes per ms
    if (!(slope < 0)) return std::nullopt;                         // not shrinking
    const double freeNow = samples_.back().second;
    return freeNow / -slope / 86400000.0;
}

void RatioWindow::add(int64_t nowMs, uint64_t attemptsTotal, uint64_t failuresTotal) {
    samples_.push_back({nowMs, attemptsTotal, failuresTotal});
    // Keep one sample at or before the window's start: the baseline to subtract.
    while (samples_.size() > 1 && nowMs - samples_[1].atMs >= windowMs_) samples_.pop_front();
}

int64_t RatioWindow::attempts() const {
    if (samples_.empty()) return 0;
    return static_cast<int64_t>(samples_.back().attempts - samples_.front().attempts);
}

int64_t RatioWindow::failures() const {
    if (samples_.empty()) return 0;
    return static_cast<int64_t>(samples_.back().failures - samples_.front().failures);
}

std::optional<int64_t> ClockWatch::observe(int64_t wallMs, int64_t steadyMs, int64_t thresholdMs) {
    std::optional<int64_t> jump;
    if (last_) {
        const int64_t drift = (wallMs - last_->first) - (steadyMs - last_->second);
        if (std::llabs(drift) >= thresholdMs) jump = drift;
    }
    last_ = {wallMs, steadyMs};
    if (jump) lastJump_ = {steadyMs, *jump};
    return jump;
}

std::optional<int64_t> ClockWatch::recentJump(int64_t steadyMs, int64_t holdMs) const {
    if (!lastJump_ || steadyMs - lastJump_->first >= holdMs) return std::nullopt;
    return lastJump_->second;
}

}  // namespace lojal::alerts
