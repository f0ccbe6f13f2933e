#define BOOST_TEST_MODULE crm_health
// The CRM's health as lookups and probes report it (pure).
#include <boost/test/unit_test.hpp>

#include "members/CrmHealth.h"

using namespace lojal;
using namespace std::chrono_literals;
using State = CrmHealth::State;

namespace {
const CrmHealth::Clock::time_point t0{};
}

BOOST_AUTO_TEST_CASE(failures_in_a_row_take_it_down_and_an_answer_brings_it_up) {
    CrmHealth health({2, 5000ms, 60000ms});
    BOOST_TEST((health.state() == State::up));
    health.failed(t0);
    BOOST_TEST((health.state() == State::degraded));
    BOOST_TEST(health.worthAsking());  // one miss: customers still ask it
    health.answered();
    health.failed(t0);
    BOOST_TEST((health.state() == State::degraded));  // not in a row
    health.failed(t0);
    BOOST_TEST((health.state() == State::down));
    BOOST_TEST(!health.worthAsking());
    health.answered();
    BOOST_TEST((health.state() == State::up));
}

BOOST_AUTO_TEST_CASE(probes_while_down_back_off_to_the_maximum) {
    CrmHealth health({1, 5000ms, 12000ms});
    BOOST_TEST(!health.probeDue(t0));  // up: no probes
    health.failed(t0);
    BOOST_TEST(!health.probeDue(t0 + 4999ms));
    BOOST_TEST(health.probeDue(t0 + 5000ms));
    health.probing(t0 + 5000ms);  // this probe fails too:
    health.failed(t0 + 5100ms);
    BOOST_TEST(!health.probeDue(t0 + 9999ms));
    BOOST_TEST(health.probeDue(t0 + 10000ms));  // 5 s after the probe began
    health.probing(t0 + 10000ms);
    health.failed(t0 + 10100ms);
    BOOST_TEST(!health.probeDue(t0 + 19999ms));
    BOOST_TEST(health.probeDue(t0 + 20000ms));  // 10 s
    health.probing(t0 + 20000ms);
    BOOST_TEST(health.probeDue(t0 + 32000ms));  // capped at 12 s
    health.answered();
    BOOST_TEST(!health.probeDue(t0 + 100000ms));
}

BOOST_AUTO_TEST_CASE(down_since_is_the_first_failure_of_the_row) {
    CrmHealth health({2, 5000ms, 60000ms});
    health.failed(t0 + 1s);
    BOOST_TEST(!health.downSince().has_value());  // degraded is not down
    health.failed(t0 + 3s);
    BOOST_REQUIRE(health.downSince().has_value());
    BOOST_TEST((*health.downSince() == t0 + 1s));
    health.failed(t0 + 9s);  // more failures keep the start
    BOOST_TEST((*health.downSince() == t0 + 1s));
    health.answered();
    BOOST_TEST(!health.downSince().has_value());
    health.failed(t0 + 20s);
    health.failed(t0 + 21s);
    BOOST_TEST((*health.downSince() == t0 + 20s));
}
