#include "kiosk/KioskSessions.h"

#include <algorithm>

namespace lojal {

void KioskSessions::expire(Clock::time_point now) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second.opened > limits_.sessionLifetime) {
            it = sessions_.erase(it);
        } else {
            if (it->second.member && now - it->second.lastActivity > limits_.memberIdle)
                it->second.member.reset();
            ++it;
        }
    }
}

void KioskSessions::open(const std::string& id, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    expire(now);
    if (sessions_.size() >= limits_.maxSessions) {
        const auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.opened < b.second.opened; });
        sessions_.erase(oldest);
    }
    sessions_[id] = Session{now, now, std::nullopt};
}

bool KioskSessions::valid(const std::string& id, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    expire(now);
    return sessions_.count(id) > 0;
}

std::optional<KioskMember> KioskSessions::member(const std::string& id, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    expire(now);
    const auto found = sessions_.find(id);
    if (found == sessions_.end() || !found->second.member) return std::nullopt;
    found->second.lastActivity = now;
    return found->second.member;
}

void KioskSessions::bind(const std::string& id, KioskMember member, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return;
    found->second.member = std::move(member);
    found->second.lastActivity = now;
}

void KioskSessions::forgetMember(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (const auto found = sessions_.find(id); found != sessions_.end())
        found->second.member.reset();
}

bool KioskSessions::claimCardScan(uint64_t seq) {
    std::lock_guard lock(mutex_);
    if (seq <= lastCardScan_) return false;
    lastCardScan_ = seq;
    return true;
}

size_t KioskSessions::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace lojal
