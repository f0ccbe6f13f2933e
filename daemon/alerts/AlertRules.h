#pragma once
// The store's alert rules (pure): what lojald measured (Readings) and the
// configured thresholds in, the alerts that hold now out. AlertBook remembers
// which alerts are active since when and says which were raised or cleared;
// DiskTrend predicts when the database's disk fills at the current growth rate;
// RatioWindow keeps the SMS outcomes of the last hour. No I/O, no threads: time
// is passed in, so the unit tests play hours in microseconds.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lojal::alerts {

enum class Severity { warning, critical };
const char* toString(Severity severity);

struct Alert {
    std::string id;  // stable: "crm_unreachable", "device_absent:scanner1", ...
    Severity severity = Severity::warning;
    std::string message;  // a whole sentence for store IT, with the fix where one is known
};

struct Thresholds {
    int crmUnreachableMinutes = 10;
    int backlogMinutes = 30;  // oldest unsynced receipt
    int deviceAbsentMinutes = 5;
    double smsFailureRatio = 0.2;  // over the last hour
    int smsMinAttempts = 10;       // fewer attempts in the hour say nothing
    double diskFreePercent = 10;
    int diskFullDays = 7;
    int clockJumpSeconds = 120;
};

struct DeviceReading {
    std::string name;
    bool ready = false;
    int64_t notReadySinceMs = 0;  // when it stopped being ready
    std::string reason;
};

struct Readings {
    int64_t nowMs = 0;
    std::optional<int64_t> crmUnreachableSinceMs;
    std::optional<std::string> crmPausedReason;  // 401/403: the key is refused
    std::optional<int64_t> oldestUnsyncedReceiptMs;
    std::map<std::string, int64_t> deadLetters;  // outbox topic -> rows
    std::vector<DeviceReading> devices;
    int64_t smsAttempts = 0;  // in the last hour
    int64_t smsFailures = 0;
    std::optional<uint64_t> diskFreeBytes;  // where the database lives
    uint64_t diskTotalBytes = 0;
    std::optional<double> daysUntilDiskFull;
    std::optional<int64_t> clockJumpMs;  // the last jump, while it is recent
    std::string worldReadableConfig;     // path of a config holding secrets, readable by all
};

std::vector<Alert> evaluate(const Readings& readings, const Thresholds& thresholds);

struct AlertChange {
    Alert alert;
    bool raised = false;  // else cleared
    int64_t sinceMs = 0;
};

struct ActiveAlert {
    Alert alert;
    int64_t sinceMs = 0;
};

class AlertBook {
  public:
    // The alerts that hold now -> what changed since the last update. An alert
    // whose message changes (a bigger backlog) stays raised with its first since.
    std::vector<AlertChange> update(const std::vector<Alert>& holding, int64_t nowMs);
    std::vector<ActiveAlert> active() const;

  private:
    std::map<std::string, ActiveAlert> active_;
};

// Free space samples -> days until the disk is full at the growth rate of the
// window (least squares). Nothing while the samples span less than minSpanMs or
// the free space does not shrink.
class DiskTrend {
  public:
    DiskTrend(int64_t windowMs, int64_t minSpanMs) : windowMs_(windowMs), minSpanMs_(minSpanMs) {}
    void add(int64_t nowMs, uint64_t freeBytes);
    std::optional<double> daysUntilFull() const;

  private:
    int64_t windowMs_;
    int64_t minSpanMs_;
    std::deque<std::pair<int64_t, double>> samples_;
};

// Running totals of attempts and failures -> the counts within the window.
class RatioWindow {
  public:
    explicit RatioWindow(int64_t windowMs) : windowMs_(windowMs) {}
    void add(int64_t nowMs, uint64_t attemptsTotal, uint64_t failuresTotal);
    int64_t attempts() const;
    int64_t failures() const;

  private:
    struct Sample {
        int64_t atMs;
        uint64_t attempts;
        uint64_t failures;
    };
    int64_t windowMs_;
    std::deque<Sample> samples_;
};

// Wall clock against the monotonic clock between two evaluations: a jump is a
// difference past the threshold (NTP arriving late, an RTC battery, a hand).
class ClockWatch {
  public:
    // Returns the jump in ms (wall minus monotonic) when one happened.
    std::optional<int64_t> observe(int64_t wallMs, int64_t steadyMs, int64_t thresholdMs);
    // The last jump while it is younger than holdMs (monotonic time: a later
    // jump cannot make an earlier one look old or new).
    std::optional<int64_t> recentJump(int64_t steadyMs, int64_t holdMs) const;

  private:
    std::optional<std::pair<int64_t, int64_t>> last_;      // {wall, steady}
    std::optional<std::pair<int64_t, int64_t>> lastJump_;  // {steady, size}
};

}  // namespace lojal::alerts
