#include "members/CrmHealth.h"

#include <algorithm>

namespace lojal {

void CrmHealth::answered() {
    std::lock_guard lock(mutex_);
    state_ = State::up;
    failuresInRow_ = 0;
    probeInterval_ = std::chrono::milliseconds(0);
}

void CrmHealth::failed(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (failuresInRow_++ == 0) firstFailure_ = now;
    if (failuresInRow_ < options_.downAfter) {
        state_ = State::degraded;
        return;
    }
    if (state_ != State::down) {
        state_ = State::down;
        probeInterval_ = options_.probeEvery;
        nextProbe_ = now + probeInterval_;
    }
}

bool CrmHealth::worthAsking() const {
    std::lock_guard lock(mutex_);
    return state_ != State::down;
}

bool CrmHealth::probeDue(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return state_ == State::down && now >= nextProbe_;
}

void CrmHealth::probing(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    nextProbe_ = now + probeInterval_;
    probeInterval_ = std::min(probeInterval_ * 2, options_.probeMax);
}

CrmHealth::State CrmHealth::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::optional<CrmHealth::Clock::time_point> CrmHealth::downSince() const {
    std::lock_guard lock(mutex_);
    if (state_ != State::down) return std::nullopt;
    return firstFailure_;
}

const char* CrmHealth::toString(State state) {
    switch (state) {
        case State::up: return "up";
        case State::degraded: return "degraded";
        case State::down: return "down";
    }
    return "down";
}

}  // namespace lojal
