#define BOOST_TEST_MODULE liblojal event queue
#include <boost/test/unit_test.hpp>

#include "EventQueue.h"

using lojal::pos::EventQueue;
using lojal::pos::QueuedEvent;

namespace {
QueuedEvent event(uint64_t seq) {
    return QueuedEvent{seq, "{\"seq\":" + std::to_string(seq) + "}"};
}
const std::string kNow = "2026-11-30T09:00:00.000Z";
}  // namespace

BOOST_AUTO_TEST_CASE(events_come_out_in_order) {
    EventQueue queue(10);
    BOOST_TEST(queue.empty());
    BOOST_TEST(!queue.pop(kNow).has_value());
    for (uint64_t seq = 1; seq <= 3; ++seq) queue.push(event(seq));
    for (uint64_t seq = 1; seq <= 3; ++seq) BOOST_TEST(queue.pop(kNow)->seq == seq);
    BOOST_TEST(queue.empty());
}

BOOST_AUTO_TEST_CASE(overflow_drops_the_oldest_and_says_how_many_first) {
    EventQueue queue(3);
    for (uint64_t seq = 1; seq <= 8; ++seq) queue.push(event(seq));
    BOOST_TEST(queue.size() == 3u);
    const auto gap = queue.pop(kNow);
    BOOST_REQUIRE(gap.has_value());
    BOOST_TEST(gap->seq == 0u);
    BOOST_TEST(gap->json.find("\"type\":\"gap\"") != std::string::npos, gap->json);
    BOOST_TEST(gap->json.find("\"missed\":5") != std::string::npos, gap->json);
    BOOST_TEST(gap->json.find(kNow) != std::string::npos, gap->json);
    for (uint64_t seq = 6; seq <= 8; ++seq) BOOST_TEST(queue.pop(kNow)->seq == seq);
    BOOST_TEST(queue.empty());
    // The count starts again after the gap was handed out.
    for (uint64_t seq = 9; seq <= 13; ++seq) queue.push(event(seq));
    BOOST_TEST(queue.pop(kNow)->json.find("\"missed\":2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_smaller_limit_drops_at_once) {
    EventQueue queue(10);
    for (uint64_t seq = 1; seq <= 10; ++seq) queue.push(event(seq));
    queue.setMax(4);
    BOOST_TEST(queue.pop(kNow)->json.find("\"missed\":6") != std::string::npos);
    BOOST_TEST(queue.pop(kNow)->seq == 7u);
}
