#define BOOST_TEST_MODULE alert_rules
// The alert rules, the book of active alerts, the disk trend, the SMS window
// and the clock watch: pure, with time passed in.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "alerts/AlertRules.h"

using namespace lojal::alerts;

namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kNow = 1'800'000'000'000;

std::vector<std::string> ids(const std::vector<Alert>& alerts) {
    std::vector<std::string> list;
    for (const Alert& alert : alerts) list.push_back(alert.id);
    return list;
}

bool has(const std::vector<Alert>& alerts, const std::string& id) {
    const auto list = ids(alerts);
    return std::find(list.begin(), list.end(), id) != list.end();
}

const Alert& find(const std::vector<Alert>& alerts, const std::string& id) {
    return *std::find_if(alerts.begin(), alerts.end(), [&](const Alert& a) { return a.id == id; });
}

Readings quiet() {
    Readings r;
    r.nowMs = kNow;
    r.diskFreeBytes = 50ULL << 30;
    r.diskTotalBytes = 100ULL << 30;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_healthy_store_has_no_alerts) {
    BOOST_TEST(evaluate(quiet(), Thresholds{}).empty());
}

BOOST_AUTO_TEST_CASE(the_crm_is_unreachable_only_after_the_threshold) {
    Thresholds t;
    Readings r = quiet();
    r.crmUnreachableSinceMs = kNow - 9 * kMinute;
    BOOST_TEST(!has(evaluate(r, t), "crm_unreachable"));
    r.crmUnreachableSinceMs = kNow - 10 * kMinute;
    const auto alerts = evaluate(r, t);
    BOOST_REQUIRE(has(alerts, "crm_unreachable"));
    BOOST_TEST((find(alerts, "crm_unreachable").severity == Severity::critical));
    BOOST_TEST(find(alerts, "crm_unreachable").message.find("10 minutes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refused_key_a_backlog_and_dead_letters_each_have_their_alert) {
    Readings r = quiet();
    r.crmPausedReason = "HTTP 401";
    r.oldestUnsyncedReceiptMs = kNow - 31 * kMinute;
    r.deadLetters = {{"receipt", 3}, {"signup", 0}, {"erasure", 1}};
    const auto alerts = evaluate(r, Thresholds{});
    BOOST_TEST(has(alerts, "crm_key_refused"));
    BOOST_TEST(find(alerts, "crm_key_refused").message.find("HTTP 401") != std::string::npos);
    BOOST_TEST(has(alerts, "receipt_backlog"));
    BOOST_TEST(has(alerts, "dead_letters:receipt"));
    BOOST_TEST(find(alerts, "dead_letters:receipt").message.find("3 items") == 0u);
    BOOST_TEST(!has(alerts, "dead_letters:signup"));  // zero is no alert
    BOOST_TEST(has(alerts, "dead_letters:erasure"));
    BOOST_TEST(find(alerts, "dead_letters:erasure").message.find("1 item ") == 0u);
}

BOOST_AUTO_TEST_CASE(a_device_alerts_per_device_after_its_minutes) {
    Readings r = quiet();
    r.devices = {{"scanner1", false, kNow - 6 * kMinute, "unplugged"},
                 {"scanner2", false, kNow - 1 * kMinute, ""},
                 {"terminal", true, kNow - 60 * kMinute, ""}};
    const auto alerts = evaluate(r, Thresholds{});
    BOOST_TEST(ids(alerts) == std::vector<std::string>{"device_absent:scanner1"});
    BOOST_TEST(alerts[0].message.find("(unplugged)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sms_failures_count_only_with_enough_attempts) {
    Thresholds t;  // 20 %, at least 10 attempts
    Readings r = quiet();
    r.smsAttempts = 9;
    r.smsFailures = 9;
    BOOST_TEST(!has(evaluate(r, t), "sms_failures"));  // too few to say
    r.smsAttempts = 10;
    r.smsFailures = 2;
    BOOST_TEST(!has(evaluate(r, t), "sms_failures"));  // 20 % is not above 20 %
    r.smsFailures = 3;
    const auto alerts = evaluate(r, t);
    BOOST_REQUIRE(has(alerts, "sms_failures"));
    BOOST_TEST(find(alerts, "sms_failures").message.find("30 %") == 0u);
}

BOOST_AUTO_TEST_CASE(disk_clock_and_config_rules) {
    Readings r = quiet();
    r.diskFreeBytes = 9ULL << 30;  // 9 % of 100 GiB
    r.daysUntilDiskFull = 6.5;
    r.clockJumpMs = -3'600'000;
    r.worldReadableConfig = "/etc/lojal/lojald.ini";
    const auto alerts = evaluate(r, Thresholds{});
    BOOST_TEST(has(alerts, "disk_low"));
    BOOST_TEST(find(alerts, "disk_full_predicted").message.find("6.5 days") != std::string::npos);
    BOOST_TEST(find(alerts, "clock_jump").message.find("-3600 s") != std::string::npos);
    BOOST_TEST(find(alerts, "config_readable").message.find("/etc/lojal/lojald.ini") !=
               std::string::npos);
    r.daysUntilDiskFull = 7.5;
    BOOST_TEST(!has(evaluate(r, Thresholds{}), "disk_full_predicted"));
}

BOOST_AUTO_TEST_CASE(the_book_raises_once_keeps_since_and_clears) {
    AlertBook book;
    const Alert backlog{"receipt_backlog", Severity::warning, "31 minutes"};
    auto changes = book.update({backlog}, 1000);
    BOOST_REQUIRE_EQUAL(changes.size(), 1u);
    BOOST_TEST(changes[0].raised);
    BOOST_TEST(changes[0].sinceMs == 1000);
    // Still holding, with a new message: no change, the first since stays.
    const Alert bigger{"receipt_backlog", Severity::warning, "45 minutes"};
    BOOST_TEST(book.update({bigger}, 5000).empty());
    BOOST_REQUIRE_EQUAL(book.active().size(), 1u);
    BOOST_TEST(book.active()[0].sinceMs == 1000);
    BOOST_TEST(book.active()[0].alert.message == "45 minutes");
    changes = book.update({}, 9000);
    BOOST_REQUIRE_EQUAL(changes.size(), 1u);
    BOOST_TEST(!changes[0].raised);
    BOOST_TEST(changes[0].alert.id == "receipt_backlog");
    BOOST_TEST(book.active().empty());
    // Raised again later: a new since.
    changes = book.update({backlog}, 20000);
    BOOST_TEST(changes[0].sinceMs == 20000);
}

BOOST_AUTO_TEST_CASE(the_disk_trend_predicts_from_a_steady_decline) {
    DiskTrend trend(24 * 3600 * 1000LL, 3600 * 1000LL);
    const uint64_t gib = 1ULL << 30;
    // 1 GiB a day used, 10 GiB free at the end: about 10 days left.
    for (int hour = 0; hour <= 24; ++hour)
        trend.add(hour * 3600 * 1000LL, 11 * gib - static_cast<uint64_t>(hour) * gib / 24);
    BOOST_REQUIRE(trend.daysUntilFull().has_value());
    BOOST_TEST(*trend.daysUntilFull() == 10.0, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(the_disk_trend_says_nothing_too_early_or_when_space_grows) {
    DiskTrend early(24 * 3600 * 1000LL, 3600 * 1000LL);
    early.add(0, 100);
    early.add(1000, 90);
    early.add(2000, 80);
    BOOST_TEST(!early.daysUntilFull().has_value());  // spans 2 s, not an hour
    DiskTrend growing(10'000, 1000);
    for (int i = 0; i < 5; ++i) growing.add(i * 1000, 100 + static_cast<uint64_t>(i));
    BOOST_TEST(!growing.daysUntilFull().has_value());
    DiskTrend flat(10'000, 1000);
    for (int i = 0; i < 5; ++i) flat.add(i * 1000, 100);
    BOOST_TEST(!flat.daysUntilFull().has_value());
    // Old samples leave the window: a past decline stops counting.
    DiskTrend window(10'000, 1000);
    for (int i = 0; i < 5; ++i) window.add(i * 1000, 1000 - static_cast<uint64_t>(i) * 100);
    BOOST_TEST(window.daysUntilFull().has_value());
    for (int i = 5; i < 20; ++i) window.add(i * 1000, 600);
    BOOST_TEST(!window.daysUntilFull().has_value());
}

BOOST_AUTO_TEST_CASE(the_ratio_window_counts_the_last_hour_only) {
    RatioWindow window(3600 * 1000LL);
    window.add(0, 0, 0);
    window.add(10 * kMinute, 10, 8);
    BOOST_TEST(window.attempts() == 10);
    BOOST_TEST(window.failures() == 8);
    window.add(70 * kMinute, 30, 8);  // 20 more, all fine; the hour starts at 10 min
    BOOST_TEST(window.attempts() == 20);
    BOOST_TEST(window.failures() == 0);
}

BOOST_AUTO_TEST_CASE(the_clock_watch_sees_jumps_both_ways) {
    ClockWatch watch;
    BOOST_TEST(!watch.observe(kNow, 0, 120'000).has_value());  // the first look sets the base
    BOOST_TEST(!watch.observe(kNow + 5000, 5000, 120'000).has_value());
    BOOST_TEST(!watch.observe(kNow + 10'000 + 100'000, 10'000, 120'000).has_value());  // < 120 s
    const auto ahead = watch.observe(kNow + 110'000 + 3'600'000 + 5000, 15'000, 120'000);
    BOOST_REQUIRE(ahead.has_value());
    BOOST_TEST(*ahead == 3'600'000);
    BOOST_TEST(*watch.recentJump(15'000 + 3'599'999, 3'600'000) == 3'600'000);
    BOOST_TEST(!watch.recentJump(15'000 + 3'600'000, 3'600'000).has_value());  // held an hour
    const auto back = watch.observe(kNow + 5000, 20'000, 120'000);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(*back < -3'000'000);
    BOOST_TEST(*watch.recentJump(20'000, 3'600'000) == *back);  // the newest jump counts
}
