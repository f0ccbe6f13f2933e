#include "CallRegistry.h"

#include "ThreadSignals.h"

namespace lojal::pos {

CallRegistry::CallRegistry() {
    watchdog_ = std::thread([this] {
        blockSigpipeInThisThread();
        watch();
    });
}

CallRegistry::~CallRegistry() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    watchdog_.join();
}

bool CallRegistry::begin(Call& call) {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    calls_.insert(&call);
    // Wake the watchdog only when it must wake earlier than it planned: most
    // calls end long before their deadline, and a wake-up per call would cost
    // two context switches on every request.
    if (call.deadline < watchdogWake_) changed_.notify_all();
    return true;
}

void CallRegistry::end(Call& call) {
    std::lock_guard lock(mutex_);
    call.fd = kNoSocket;
    calls_.erase(&call);
    if (closing_) changed_.notify_all();  // close() waits for the last one
}

void CallRegistry::attach(Call& call, NativeSocket fd) {
    std::lock_guard lock(mutex_);
    call.fd = fd;
    // Cancelled or past its deadline while connecting: end it now.
    if (call.cancelled || call.timedOut) shutdownLocked(call);
}

void CallRegistry::detach(Call& call) {
    std::lock_guard lock(mutex_);
    call.fd = kNoSocket;
}

void CallRegistry::shutdownLocked(Call& call) {
    shutdownSocket(call.fd);
}

void CallRegistry::cancel(Call& call) {
    std::lock_guard lock(mutex_);
    call.cancelled = true;
    if (calls_.count(&call)) shutdownLocked(call);
}

void CallRegistry::cancelAll() {
    std::lock_guard lock(mutex_);
    for (Call* call : calls_) {
        call->cancelled = true;
        shutdownLocked(*call);
    }
    changed_.notify_all();
}

void CallRegistry::close(const std::function<void()>& wakeWaiters) {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    cancelAll();
    wakeWaiters();
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return calls_.empty(); });
}

void CallRegistry::watch() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        const auto now = Clock::now();
        auto next = Clock::time_point::max();
        for (Call* call : calls_) {
            if (call->timedOut) continue;
            if (call->deadline <= now) {
                call->timedOut = true;
                shutdownLocked(*call);
            } else if (call->deadline < next) {
                next = call->deadline;
            }
        }
        watchdogWake_ = next;
        if (next == Clock::time_point::max())
            changed_.wait(lock);
        else
            changed_.wait_until(lock, next);
        watchdogWake_ = Clock::time_point::min();  // awake: begin() need not notify
    }
}

}  // namespace lojal::pos
