#define BOOST_TEST_MODULE zvt_session
// The register's side of a ZVT flow, driven byte by byte with a fake clock:
// every path ends in exactly one `finished` event, within T4 at the latest.
#include <boost/test/unit_test.hpp>

#include "drivers/zvt/ZvtSession.h"

using namespace lojal::hal::zvt;

namespace {

Bytes frameOf(uint8_t cls, uint8_t instr, const Bytes& data = {}) {
    return encodeFrame(encodeApdu(cls, instr, data));
}

// A session plus the clock, with helpers that play the terminal.
struct Terminal {
    ZvtSession session;
    int64_t now = 1000;
    ZvtSession::Output last;
    std::vector<FlowEvent> events;

    Bytes send(const Bytes& bytes, int64_t after = 10) {
        now += after;
        last = session.onBytes(bytes.data(), bytes.size(), now);
        events.insert(events.end(), last.events.begin(), last.events.end());
        return last.write;
    }
    Bytes tick(int64_t after) {
        now += after;
        last = session.onTick(now);
        events.insert(events.end(), last.events.begin(), last.events.end());
        return last.write;
    }
    int finished() const {
        int count = 0;
        for (const FlowEvent& event : events) count += event.kind == FlowEvent::Kind::finished;
        return count;
    }
    const FlowEvent& final() const { return events.back(); }
};

const Bytes kAckByte{kAck};
const Bytes kNakByte{kNak};

Bytes ackThenCompletion() {
    Bytes out = kAckByte;
    const Bytes completion = encodeFrame(positiveCompletion());
    out.insert(out.end(), completion.begin(), completion.end());
    return out;
}

void startReadCard(Terminal& t) {
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(readCard(30), true, t.now, out));
    BOOST_TEST(out.write == encodeFrame(readCard(30)), boost::test_tools::per_element());
}

}  // namespace

BOOST_AUTO_TEST_CASE(read_card_happy_path) {
    Terminal t;
    startReadCard(t);
    BOOST_TEST(t.send(kAckByte).empty());
    BOOST_TEST(t.send(frameOf(0x80, 0x00)) == kAckByte, boost::test_tools::per_element());
    // Intermediate status "insert card", answered ACK + 80 00 00.
    BOOST_TEST(t.send(frameOf(0x04, 0xFF, {0x0A})) == ackThenCompletion(),
               boost::test_tools::per_element());
    const Bytes status{0x27, 0x00, 0x8A, 0x05, 0x06, 0x06, 0x1F, 0x14, 0x03, 0x01, 0x02, 0x03};
    BOOST_TEST(t.send(frameOf(0x04, 0x0F, status)) == ackThenCompletion(),
               boost::test_tools::per_element());
    BOOST_TEST(t.send(frameOf(0x06, 0x0F, {0x19, 0x00})) == ackThenCompletion(),
               boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.final().info.cardIdentification == Bytes({1, 2, 3}),
               boost::test_tools::per_element());
    BOOST_TEST(t.events[0].text == "insert card");
    BOOST_TEST(!t.session.busy());
}

BOOST_AUTO_TEST_CASE(one_flow_at_a_time) {
    Terminal t;
    startReadCard(t);
    ZvtSession::Output out;
    BOOST_TEST(!t.session.start(readCard(30), true, t.now, out));
    BOOST_TEST(out.write.empty());
}

BOOST_AUTO_TEST_CASE(nak_repeats_twice_then_fails) {
    Terminal t;
    startReadCard(t);
    BOOST_TEST(t.send(kNakByte) == encodeFrame(readCard(30)), boost::test_tools::per_element());
    BOOST_TEST(t.send(kNakByte) == encodeFrame(readCard(30)), boost::test_tools::per_element());
    BOOST_TEST(t.send(kNakByte).empty());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().text.find("NAK") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(a_nak_then_ack_goes_on) {
    Terminal t;
    startReadCard(t);
    t.send(kNakByte);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.send(frameOf(0x06, 0x0F));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(no_ack_repeats_after_t2_then_fails) {
    Terminal t;
    startReadCard(t);
    BOOST_TEST(t.tick(4990).empty());
    BOOST_TEST(t.tick(20) == encodeFrame(readCard(30)), boost::test_tools::per_element());
    BOOST_TEST(t.tick(5001) == encodeFrame(readCard(30)), boost::test_tools::per_element());
    BOOST_TEST(t.finished() == 0);
    t.tick(5001);
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().text.find("T2") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(no_answer_after_the_ack_is_t3) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    t.tick(5001);
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().text.find("T3") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(silence_while_the_terminal_is_master_is_t4_and_status_restarts_it) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.tick(179000);
    t.send(frameOf(0x04, 0xFF, {0x0A}));  // restarts T4
    t.tick(179000);
    BOOST_TEST(t.finished() == 0);
    t.tick(1001);
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().text.find("T4") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(an_84_error_ends_the_flow_with_its_code) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    BOOST_TEST(t.send(frameOf(0x84, 0x6B)) == kAckByte, boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().code == 0x6B);
    BOOST_TEST(t.final().text.find("not registered") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(please_wait_84_9c_sends_the_command_again) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    Bytes expected = kAckByte;
    const Bytes again = encodeFrame(readCard(30));
    expected.insert(expected.end(), again.begin(), again.end());
    BOOST_TEST(t.send(frameOf(0x84, 0x9C)) == expected, boost::test_tools::per_element());
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.send(frameOf(0x06, 0x0F));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(a_bad_crc_or_half_frame_from_the_terminal_gets_a_nak) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    Bytes corrupted = frameOf(0x80, 0x00);
    corrupted.back() ^= 0x55;
    BOOST_TEST(t.send(corrupted) == kNakByte, boost::test_tools::per_element());
    const Bytes half = frameOf(0x80, 0x00);
    t.send(Bytes(half.begin(), half.begin() + 4));
    BOOST_TEST(t.tick(250) == kNakByte, boost::test_tools::per_element());
    t.send(frameOf(0x80, 0x00));  // the terminal repeats: all well
    t.send(frameOf(0x06, 0x0F));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.session.protocolErrors() == 2);
}

BOOST_AUTO_TEST_CASE(the_register_aborts_with_06_b0_and_the_terminal_confirms) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.session.abort(t.now);
    Bytes expected = kAckByte;
    const Bytes abortFrame = encodeFrame(abortCommand());
    expected.insert(expected.end(), abortFrame.begin(), abortFrame.end());
    BOOST_TEST(t.send(frameOf(0x04, 0xFF, {0x0A})) == expected, boost::test_tools::per_element());
    t.send(frameOf(0x06, 0x1E, {0x6C}));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().code == 0x6C);
}

BOOST_AUTO_TEST_CASE(an_abort_before_the_terminal_answered_ends_at_once) {
    Terminal t;
    startReadCard(t);
    const auto out = t.session.abort(t.now);
    BOOST_REQUIRE_EQUAL(out.events.size(), 1u);
    BOOST_TEST(!t.session.busy());
}

BOOST_AUTO_TEST_CASE(a_declined_payment_reports_the_result_code) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(authorization(11680, 752), true, t.now, out));
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.send(frameOf(0x04, 0x0F, {0x27, 0x78}));  // card expired
    t.send(frameOf(0x06, 0x0F));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().code == 0x78);
    BOOST_TEST(t.final().text == "card expired");
}

BOOST_AUTO_TEST_CASE(print_lines_and_unknown_commands) {
    Terminal t;
    startReadCard(t);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    Bytes line{0x00};
    for (char c : std::string("TOTAL 116.80")) line.push_back(static_cast<uint8_t>(c));
    t.send(frameOf(0x06, 0xD1, line));
    BOOST_TEST(t.events.back().text == "TOTAL 116.80");
    Bytes expected = kAckByte;
    const Bytes refusal = encodeFrame(encodeApdu(0x84, 0x83));
    expected.insert(expected.end(), refusal.begin(), refusal.end());
    BOOST_TEST(t.send(frameOf(0x06, 0x77)) == expected, boost::test_tools::per_element());
    t.send(frameOf(0x06, 0x0F));
    BOOST_TEST(t.finished() == 1);
}

BOOST_AUTO_TEST_CASE(log_off_ends_with_the_answer) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(logOff(), false, t.now, out));
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
}
