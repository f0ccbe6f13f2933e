#pragma once
// Keeps a client under its share of a server's request rate across every thread
// that shares it: a token bucket refilled at perSecond (decimals allowed: 0.8)
// holding `burst` tokens (default a tenth of perSecond, at least one), so no
// one-second window sees more than perSecond + burst.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace lojal::plugins {

class RequestPacer {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RequestPacer(double perSecond, int burst = 0)
        : perSecond_(std::max(0.01, perSecond)),
          capacity_(burst > 0 ? burst : std::max(1, static_cast<int>(perSecond_ / 10))),
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

    const double perSecond_;
    const int capacity_;
    double tokens_;
    Clock::time_point refilled_;
    std::mutex mutex_;
};

}  // namespace lojal::plugins
