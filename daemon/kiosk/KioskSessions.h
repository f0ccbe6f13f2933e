#pragma once
// Kiosk sessions: what a kiosk page holds instead of a token. Loading the
// page from a kiosk address gives it a random session id in an HttpOnly,
// SameSite=Strict cookie; the API takes that cookie as role kiosk. Once a
// customer is verified (SMS PIN, member QR token, or a member card where the
// store allows it) the session carries that member until the customer has been
// idle for `memberIdle` (default 60 s) or the page resets. Pure: the clock is
// passed in, ids come from the caller. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace lojal {

struct KioskMember {
    std::string memberId;
    std::string query;       // how to look the member up again: "phone", "token", "card"
    std::string queryValue;  // the number, token or card (held in memory only)
    std::string verifiedBy;  // "otp", "qr", "card"
};

class KioskSessions {
  public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::chrono::seconds memberIdle{60};
        std::chrono::hours sessionLifetime{24};  // a kiosk page reloads at least daily
        size_t maxSessions = 256;                // oldest dropped beyond it
    };
    explicit KioskSessions(Limits limits) : limits_(limits) {}

    // A new session under id (random, from the caller).
    void open(const std::string& id, Clock::time_point now);
    bool valid(const std::string& id, Clock::time_point now);
    // The verified member, while not idle; each call counts as activity.
    std::optional<KioskMember> member(const std::string& id, Clock::time_point now);
    void bind(const std::string& id, KioskMember member, Clock::time_point now);
    // The customer left (or the idle timer ran out): the member is forgotten.
    void forgetMember(const std::string& id);
    size_t size() const;
    // A member-card scan (its event seq) is used to identify someone: true the
    // first time for the newest scan, false for it or any older one after.
    bool claimCardScan(uint64_t seq);

  private:
    struct Session {
        Clock::time_point opened;
        Clock::time_point lastActivity;
        std::optional<KioskMember> member;
    };
    void expire(Clock::time_point now);

    const Limits limits_;
    mutable std::mutex mutex_;
    std::map<std::string, Session> sessions_;
    uint64_t lastCardScan_ = 0;
};

}  // namespace lojal
