#pragma once
// What lojald knows of the CRM's health, so a customer never waits for a CRM
// that is known to be away. Every lookup reports how the CRM answered; after
// `downAfter` failures in a row the CRM is down, and lookups skip it (the
// member cache answers at once) until a background probe finds it answering
// again. Probes come every `probeEvery`, doubling while it stays down up to
// `probeMax`. Pure: time is passed in. Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace lojal {

class CrmHealth {
  public:
    using Clock = std::chrono::steady_clock;
    enum class State { up, degraded, down };
    struct Options {
        int downAfter = 2;  // failures in a row
        std::chrono::milliseconds probeEvery{5000};
        std::chrono::milliseconds probeMax{60000};
    };
    explicit CrmHealth(Options options) : options_(options) {}

    // A lookup (or probe) got an answer, found or not: the CRM is up.
    void answered();
    // A lookup (or probe) timed out or failed to connect.
    void failed(Clock::time_point now);
    // Should a customer's lookup ask the CRM now? False while down.
    bool worthAsking() const;
    // Is a probe due (only while down)?
    bool probeDue(Clock::time_point now) const;
    // A probe is being sent: the next one waits longer if it fails.
    void probing(Clock::time_point now);
    State state() const;
    // When the failures that made it down began; nothing unless down.
    std::optional<Clock::time_point> downSince() const;
    static const char* toString(State state);

  private:
    const Options options_;
    mutable std::mutex mutex_;
    State state_ = State::up;
    int failuresInRow_ = 0;
    Clock::time_point firstFailure_{};  // of the current row of failures
    std::chrono::milliseconds probeInterval_{0};
    Clock::time_point nextProbe_{};
};

}  // namespace lojal
