#pragma once
// Every blocking call on a handle registers here with its deadline and, once it
// has one, its socket. A watchdog thread shuts the socket down at the deadline,
// and lojal_cancel() shuts down all of them, so no call outlives its timeout
// whatever the peer does (a stall, a trickle), and another thread can end it.
// Sockets are shut down, never closed, and only while registered: the owner
// detaches before its socket closes, so a reused descriptor is never touched.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "SocketShutdown.h"

namespace lojal::pos {

using Clock = std::chrono::steady_clock;

class CallRegistry;

struct Call {
    Clock::time_point deadline;
    NativeSocket fd = kNoSocket;
    std::atomic<bool> timedOut{false};
    std::atomic<bool> cancelled{false};  // read by waits under other locks
};

class CallRegistry {
  public:
    CallRegistry();
    ~CallRegistry();  // stops the watchdog

    // False when the handle is closing (the call must not start).
    bool begin(Call& call);
    void end(Call& call);
    void attach(Call& call, NativeSocket fd);
    void detach(Call& call);
    // Ends every registered call (waits on other condition variables need
    // their own wake-up: see Client::cancel).
    void cancelAll();
    void cancel(Call& call);
    // Cancels everything and refuses new calls, calls wakeWaiters (for waits
    // on other condition variables), and returns once none is in flight.
    void close(const std::function<void()>& wakeWaiters);

  private:
    void watch();
    void shutdownLocked(Call& call);

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<Call*> calls_;
    bool closing_ = false;
    Clock::time_point watchdogWake_ = Clock::time_point::min();  // when the watchdog wakes next
    bool stop_ = false;
    std::thread watchdog_;
};

// Registers a call for its scope.
class CallScope {
  public:
    CallScope(CallRegistry& registry, Call& call) : registry_(registry), call_(call) {
        admitted_ = registry_.begin(call_);
    }
    ~CallScope() {
        if (admitted_) registry_.end(call_);
    }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;
    bool admitted() const { return admitted_; }

  private:
    CallRegistry& registry_;
    Call& call_;
    bool admitted_ = false;
};

}  // namespace lojal::pos
