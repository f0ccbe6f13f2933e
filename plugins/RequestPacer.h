#pragma once
// Keeps a client under a server's documented request rate (Voyado: 50/s) across
// every thread that shares it: a token bucket refilled at perSecond and holding
// a tenth of that, so no one-second window ever sees more than 1.1 x perSecond.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace lojal::plugins {

class RequestPacer {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RequestPacer(int perSecond)
        : perSecond_(std::max(1, perSecond)),
          capacity_(std::max(1, perSecond_ / 10)),
          tokens_(capacity_),
          refilled_(Clock::now()) {}

    // Waits for a token; false (and no token taken) when that would take longer
    // than maxWait, so a caller with a deadline can give up at once.
    bool acquire(std::chrono::milliseconds maxWait = std::chrono::hours(1)) {
        Clock::time_point at;
        {
            std::lock_guard lock(mutex_);
            refill();
            const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::duration<double>((1.0 - tokens_) / perSecond_));
            if (tokens_ < 1.0 && wait > maxWait) return false;
            tokens_ -= 1.0;  // may go negative: later callers queue behind this one
            at = Clock::now() + (tokens_ < 0 ? wait : std::chrono::milliseconds(0));
        }
        std::this_thread::sleep_until(at);
        return true;
    }

  private:
    void refill() {
        const auto now = Clock::now();
        tokens_ = std::min<double>(
            capacity_,
            tokens_ + std::chrono::duration<double>(now - refilled_).count() * perSecond_);
        refilled_ = now;
    }

    const int perSecond_;
    const int capacity_;
    double tokens_;
    Clock::time_point refilled_;
    std::mutex mutex_;
};

}  // namespace lojal::plugins
