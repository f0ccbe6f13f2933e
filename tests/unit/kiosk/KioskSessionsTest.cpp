#define BOOST_TEST_MODULE kiosk_sessions
// Kiosk sessions (pure): a verified member lasts only while the customer is
// active; the session itself outlives customers.
#include <boost/test/unit_test.hpp>

#include "kiosk/KioskSessions.h"

using namespace lojal;
using namespace std::chrono_literals;

namespace {
const KioskSessions::Clock::time_point t0{};
KioskMember alice() {
    return {"M-1", "phone", "+46701234567", "otp"};
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_member_is_forgotten_after_the_idle_time_but_activity_keeps_it) {
    KioskSessions sessions({60s, 24h, 16});
    sessions.open("s1", t0);
    BOOST_TEST(!sessions.member("s1", t0));  // nobody verified yet
    sessions.bind("s1", alice(), t0);
    BOOST_TEST(sessions.member("s1", t0 + 59s)->memberId == "M-1");
    BOOST_TEST(sessions.member("s1", t0 + 118s).has_value());  // each look is activity
    BOOST_TEST(!sessions.member("s1", t0 + 179s));             // 61 s idle: gone
    BOOST_TEST(sessions.valid("s1", t0 + 179s));               // the kiosk's session stays
}

BOOST_AUTO_TEST_CASE(forgetting_ends_the_member_and_other_sessions_are_untouched) {
    KioskSessions sessions({60s, 24h, 16});
    sessions.open("s1", t0);
    sessions.open("s2", t0);
    sessions.bind("s1", alice(), t0);
    sessions.bind("s2", {"M-2", "token", "LJM1...", "qr"}, t0);
    sessions.forgetMember("s1");
    BOOST_TEST(!sessions.member("s1", t0));
    BOOST_TEST(sessions.member("s2", t0)->memberId == "M-2");
    sessions.bind("unknown", alice(), t0);  // no session: nothing happens
    BOOST_TEST(!sessions.valid("unknown", t0));
}

BOOST_AUTO_TEST_CASE(sessions_expire_and_are_bounded) {
    KioskSessions sessions({60s, 1h, 2});
    sessions.open("old", t0);
    sessions.open("mid", t0 + 1s);
    sessions.open("new", t0 + 2s);  // over the bound: the oldest goes
    BOOST_TEST(!sessions.valid("old", t0 + 2s));
    BOOST_TEST(sessions.valid("mid", t0 + 2s));
    BOOST_TEST(sessions.size() == 2u);
    BOOST_TEST(!sessions.valid("mid", t0 + 1s + 1h + 1s));  // past its lifetime
}

BOOST_AUTO_TEST_CASE(a_card_scan_identifies_once_and_a_newer_one_again) {
    KioskSessions sessions({60s, 24h, 16});
    BOOST_TEST(sessions.claimCardScan(7));
    BOOST_TEST(!sessions.claimCardScan(7));  // the same scan again
    BOOST_TEST(!sessions.claimCardScan(5));  // an older one
    BOOST_TEST(sessions.claimCardScan(9));   // the next customer's card
}
