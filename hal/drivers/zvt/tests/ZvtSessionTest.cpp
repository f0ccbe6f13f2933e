#define BOOST_TEST_MODULE zvt_session
// The register's side of a ZVT flow, driven byte by byte with a fake clock:
// every path ends in exactly one `finished` event, each flow with the message
// FLOWS.md names (Read Card with its 04 0F, PA00P015 2.21), over serial and TCP.
#include <boost/test/unit_test.hpp>

#include "drivers/zvt/ZvtSession.h"

using namespace lojal::hal::zvt;

namespace {

Bytes frameOf(uint8_t cls, uint8_t instr, const Bytes& data = {}) {
    return encodeFrame(encodeApdu(cls, instr, data));
}

// A session plus the clock, with helpers that play the terminal.
struct Terminal {
    explicit Terminal(Link link = Link::serial) : session(Timeouts{}, link) {}
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
    int count(FlowEvent::Kind kind) const {
        int count = 0;
        for (const FlowEvent& event : events) count += event.kind == kind;
        return count;
    }
    int finished() const { return count(FlowEvent::Kind::finished); }
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
    BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
    BOOST_TEST(out.write == encodeFrame(readCard(30)), boost::test_tools::per_element());
}

// Read Card started, acknowledged and accepted: the terminal waits for a card.
void readCardWaiting(Terminal& t) {
    startReadCard(t);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    t.send(frameOf(0x04, 0xFF, {0x0A}));  // insert card
}

Bytes both(const Bytes& first, const Bytes& second) {
    Bytes out = first;
    out.insert(out.end(), second.begin(), second.end());
    return out;
}

const Bytes kCardStatus{0x27, 0x00, 0x8A, 0x05, 0x06, 0x06, 0x1F, 0x14, 0x03, 0x01, 0x02, 0x03};

}  // namespace

BOOST_AUTO_TEST_CASE(read_card_happy_path) {
    Terminal t;
    startReadCard(t);
    BOOST_TEST(t.send(kAckByte).empty());
    BOOST_TEST(t.send(frameOf(0x80, 0x00)) == kAckByte, boost::test_tools::per_element());
    // Intermediate status "insert card", answered ACK + 80 00 00.
    BOOST_TEST(t.send(frameOf(0x04, 0xFF, {0x0A})) == ackThenCompletion(),
               boost::test_tools::per_element());
    // PA00P015 2.21: the status information with the card data hands master
    // rights back; there is no completion, so the flow ends right here.
    BOOST_TEST(t.send(frameOf(0x04, 0x0F, kCardStatus)) == ackThenCompletion(),
               boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.final().info.cardIdentification == Bytes({1, 2, 3}),
               boost::test_tools::per_element());
    BOOST_TEST(t.events[0].text == "insert card");
    BOOST_TEST(!t.session.busy());
    // The next command goes out at once.
    ZvtSession::Output next;
    BOOST_TEST(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, next));
    BOOST_TEST(!next.write.empty());
}

BOOST_AUTO_TEST_CASE(a_late_completion_while_idle_is_acknowledged_and_ignored) {
    Terminal t;
    readCardWaiting(t);
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    const size_t before = t.events.size();
    // A terminal that sends a completion after all: ACK only, no event, no flow.
    BOOST_TEST(t.send(frameOf(0x06, 0x0F)) == kAckByte, boost::test_tools::per_element());
    BOOST_TEST(t.events.size() == before);
    BOOST_TEST(!t.session.busy());
}

// PA00P016 3.2 and 3.4.2: the terminal acknowledges the register's last answer within
// T2. When that ACK comes after the next command has gone out (seen in CI: a
// POS starting a read right after a flow ended), it is not the command's ACK;
// the command still waits for its own.
BOOST_AUTO_TEST_CASE(a_late_ack_of_the_last_answer_is_not_taken_for_the_next_command) {
    Terminal t;
    readCardWaiting(t);
    t.send(frameOf(0x04, 0x0F, kCardStatus), 0);  // answered with 80 00 00; the flow ends
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
    t.send(kAckByte, 5);  // the late ACK of that 80 00 00
    // Without its own ACK the command goes again at T2 (it never reached the terminal's ears).
    BOOST_TEST(t.tick(Timeouts{}.t2Ms) == encodeFrame(readCard(30)),
               boost::test_tools::per_element());
    t.send(kAckByte);  // now the command's
    t.send(frameOf(0x80, 0x00));
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_REQUIRE_EQUAL(t.finished(), 2);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(an_ack_after_t2_is_the_commands) {
    Terminal t;
    readCardWaiting(t);
    t.send(frameOf(0x04, 0x0F, kCardStatus), 0);
    t.tick(Timeouts{}.t2Ms + 1);  // the answer's ACK never came: nothing is owed any more
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
    t.send(kAckByte);
    BOOST_TEST(t.send(frameOf(0x80, 0x00)) == kAckByte, boost::test_tools::per_element());
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_REQUIRE_EQUAL(t.finished(), 2);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(a_read_card_result_code_in_bmp_27_fails_the_flow) {
    Terminal t;
    readCardWaiting(t);
    t.send(frameOf(0x04, 0x0F, {0x27, 0x64}));  // card not readable
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().code == 0x64);
    BOOST_TEST(t.final().text == "card not readable");
}

BOOST_AUTO_TEST_CASE(a_read_card_that_times_out_at_the_terminal_ends_with_06_1e) {
    Terminal t;
    readCardWaiting(t);
    BOOST_TEST(t.send(frameOf(0x06, 0x1E, {0x6C})) == ackThenCompletion(),
               boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().code == 0x6C);
}

BOOST_AUTO_TEST_CASE(one_flow_at_a_time) {
    Terminal t;
    startReadCard(t);
    ZvtSession::Output out;
    BOOST_TEST(!t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
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
    t.send(frameOf(0x04, 0x0F, kCardStatus));
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
    t.send(frameOf(0x04, 0x0F, kCardStatus));
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
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.session.protocolErrors() == 2);
}

BOOST_AUTO_TEST_CASE(an_abort_during_a_card_wait_goes_out_at_once_and_the_terminal_confirms) {
    Terminal t;
    readCardWaiting(t);
    // The terminal is master and silent; Read Card allows the Abort anyway
    // (PA00P015 2.21, 2.23), so it must not wait for a message that may never come.
    BOOST_TEST(t.session.abort(t.now).write == encodeFrame(abortCommand()),
               boost::test_tools::per_element());
    BOOST_TEST(t.session.abortSent());
    BOOST_TEST(t.send(kAckByte).empty());
    BOOST_TEST(t.send(frameOf(0x80, 0x00)) == kAckByte, boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().code == 0x6C);
    BOOST_TEST(!t.session.busy());
}

BOOST_AUTO_TEST_CASE(an_abort_that_collides_with_the_card_data_is_repeated_until_taken) {
    Terminal t;
    readCardWaiting(t);
    const Bytes abortFrame = encodeFrame(abortCommand());
    BOOST_TEST(t.session.abort(t.now).write == abortFrame, boost::test_tools::per_element());
    // The terminal sent its status at the same moment. Neither side answers the
    // other's message (no ACK, no 80 00 00); both repeat theirs twice.
    const Bytes card = frameOf(0x04, 0x0F, kCardStatus);
    BOOST_TEST(t.send(card, 5).empty());
    BOOST_TEST(t.tick(5000) == abortFrame, boost::test_tools::per_element());
    BOOST_TEST(t.send(card, 5).empty());
    BOOST_TEST(t.tick(5000) == abortFrame, boost::test_tools::per_element());
    BOOST_TEST(t.send(card, 5).empty());
    // The terminal gives up and falls back to its basic state; the register,
    // master again, repeats the Abort, which the terminal now takes.
    BOOST_TEST(t.tick(5000) == abortFrame, boost::test_tools::per_element());
    BOOST_TEST(t.finished() == 0);
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().code == 0x6C);
    BOOST_TEST(t.count(FlowEvent::Kind::status) == 0);  // the crossed card data is not taken
    BOOST_TEST(t.session.collisions() == 3);
}

BOOST_AUTO_TEST_CASE(an_abort_nobody_takes_ends_the_flow_after_six_sends) {
    Terminal t;
    readCardWaiting(t);
    (void)t.session.abort(t.now);
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(t.tick(5001) == encodeFrame(abortCommand()), boost::test_tools::per_element());
    }
    t.tick(5001);
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().text.find("abort") != std::string::npos, t.final().text);
}

BOOST_AUTO_TEST_CASE(a_refused_abort_lets_the_read_go_on) {
    Terminal t;
    readCardWaiting(t);
    (void)t.session.abort(t.now);
    t.send(kAckByte);
    t.send(frameOf(0x84, 0x6F));
    BOOST_TEST(t.finished() == 0);
    BOOST_TEST(t.events.back().text.find("refused the abort") != std::string::npos);
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(an_abort_before_the_terminal_answered_goes_out_after_its_80_00) {
    Terminal t;
    startReadCard(t);
    BOOST_TEST(t.session.abort(t.now).write.empty());
    BOOST_TEST(!t.session.abortSent());
    t.send(kAckByte);
    BOOST_TEST(t.send(frameOf(0x80, 0x00)) == both(kAckByte, encodeFrame(abortCommand())),
               boost::test_tools::per_element());
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().code == 0x6C);
}

BOOST_AUTO_TEST_CASE(a_payment_abort_answers_the_terminals_next_message) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(authorization(100, 752), FlowEnd::completion, t.now, out));
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_TEST(t.session.abort(t.now).write.empty());
    BOOST_TEST(t.send(frameOf(0x04, 0xFF, {0x0A})) == both(kAckByte, encodeFrame(abortCommand())),
               boost::test_tools::per_element());
    BOOST_TEST(t.session.abortSent());
    t.send(frameOf(0x06, 0x1E, {0x6C}));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(!t.final().ok);
    BOOST_TEST(t.final().code == 0x6C);
}

BOOST_AUTO_TEST_CASE(a_payment_and_a_status_enquiry_end_with_their_completion) {
    for (const Bytes& command : {authorization(11680, 752), statusEnquiry(0)}) {
        Terminal t;
        ZvtSession::Output out;
        BOOST_REQUIRE(t.session.start(command, FlowEnd::completion, t.now, out));
        t.send(kAckByte);
        t.send(frameOf(0x80, 0x00));
        // A status information does not end these flows: the terminal stays master.
        BOOST_TEST(t.send(frameOf(0x04, 0x0F, kCardStatus)) == ackThenCompletion(),
                   boost::test_tools::per_element());
        BOOST_TEST(t.finished() == 0);
        BOOST_TEST(t.session.busy());
        BOOST_TEST(t.send(frameOf(0x06, 0x0F)) == ackThenCompletion(),
                   boost::test_tools::per_element());
        BOOST_REQUIRE_EQUAL(t.finished(), 1);
        BOOST_TEST(t.final().ok);
    }
}

BOOST_AUTO_TEST_CASE(registration_ends_with_its_completion_and_the_terminal_id) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(registration(0, kConfigIntermediateStatus, 752),
                                  FlowEnd::completion, t.now, out));
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_TEST(t.finished() == 0);
    t.send(frameOf(0x06, 0x0F, {0x29, 0x12, 0x34, 0x56, 0x78}));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.final().info.terminalId == "12345678");
}

BOOST_AUTO_TEST_CASE(a_declined_payment_reports_the_result_code) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(authorization(11680, 752), FlowEnd::completion, t.now, out));
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
    // CP437 text: "Kvitto för köp" with a NUL and what follows it dropped, and
    // control characters gone.
    Bytes cp437{0x00, 'K',  'v', 'i', 't',  't', 'o',  ' ', 'f', 0x94,
                'r',  0x07, ' ', 'k', 0x94, 'p', 0x00, 'X', 'Y'};
    t.send(frameOf(0x06, 0xD1, cp437));
    BOOST_TEST(t.events.back().text == "Kvitto f\xC3\xB6r k\xC3\xB6p");
    Bytes expected = kAckByte;
    const Bytes refusal = encodeFrame(encodeApdu(0x84, 0x83));
    expected.insert(expected.end(), refusal.begin(), refusal.end());
    BOOST_TEST(t.send(frameOf(0x06, 0x77)) == expected, boost::test_tools::per_element());
    t.send(frameOf(0x04, 0x0F, kCardStatus));
    BOOST_TEST(t.finished() == 1);
}

BOOST_AUTO_TEST_CASE(log_off_ends_with_the_answer) {
    Terminal t;
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(logOff(), FlowEnd::answer, t.now, out));
    t.send(kAckByte);
    t.send(frameOf(0x80, 0x00));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
}

// ---- ZVT over TCP/IP (PA00P016 chapter 4): bare APDUs, no ACK/NAK -------------

BOOST_AUTO_TEST_CASE(tcp_read_card_with_every_message_split_at_every_byte) {
    Terminal t(Link::tcp);
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
    BOOST_TEST(out.write == readCard(30), boost::test_tools::per_element());  // no DLE STX, no CRC
    const Bytes stream = both(both(encodeApdu(0x80, 0x00), encodeApdu(0x04, 0xFF, {0x0A})),
                              encodeApdu(0x04, 0x0F, kCardStatus));
    Bytes written;
    for (uint8_t byte : stream) {
        const Bytes w = t.send({byte}, 1);
        written.insert(written.end(), w.begin(), w.end());
    }
    // An 80 00 00 for the intermediate status and one for the card data; no ACK.
    BOOST_TEST(written == both(positiveCompletion(), positiveCompletion()),
               boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().ok);
    BOOST_TEST(t.final().info.cardIdentification == Bytes({1, 2, 3}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tcp_messages_in_one_read_and_an_extended_length) {
    Terminal t(Link::tcp);
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(authorization(100, 752), FlowEnd::completion, t.now, out));
    Bytes longLine{0x00};
    longLine.resize(300, 'x');  // > 254 bytes: FF + two bytes little-endian
    const Bytes all = both(both(encodeApdu(0x80, 0x00), encodeApdu(0x06, 0xD1, longLine)),
                           encodeApdu(0x06, 0x0F));
    t.send(all);
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.count(FlowEvent::Kind::printLine) == 1);
    BOOST_TEST(t.final().ok);
}

BOOST_AUTO_TEST_CASE(tcp_abort_during_a_card_wait) {
    Terminal t(Link::tcp);
    ZvtSession::Output out;
    BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
    t.send(encodeApdu(0x80, 0x00));
    BOOST_TEST(t.session.abort(t.now).write == abortCommand(), boost::test_tools::per_element());
    // A status that crossed the Abort is not answered; the terminal answers the Abort.
    BOOST_TEST(t.send(encodeApdu(0x04, 0x0F, kCardStatus)).empty());
    t.send(encodeApdu(0x80, 0x00));
    BOOST_REQUIRE_EQUAL(t.finished(), 1);
    BOOST_TEST(t.final().code == 0x6C);
    BOOST_TEST(t.session.collisions() == 1);
}

BOOST_AUTO_TEST_CASE(tcp_silence_and_a_stalled_message_ask_for_a_new_connection) {
    {
        Terminal t(Link::tcp);
        ZvtSession::Output out;
        BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
        t.tick(5001);  // T3
        BOOST_REQUIRE_EQUAL(t.finished(), 1);
        BOOST_TEST(t.last.reconnect);  // PA00P016 5.2.5, time-out case a
    }
    {
        Terminal t(Link::tcp);
        ZvtSession::Output out;
        BOOST_REQUIRE(t.session.start(readCard(30), FlowEnd::statusInformation, t.now, out));
        t.send(encodeApdu(0x80, 0x00));
        t.send({0x04, 0x0F, 0x20, 0x27});  // 32 bytes announced, 1 sent
        t.tick(4000);
        BOOST_TEST(t.finished() == 0);
        t.tick(1100);
        BOOST_REQUIRE_EQUAL(t.finished(), 1);
        BOOST_TEST(t.last.reconnect);
        BOOST_TEST(t.session.protocolErrors() == 1);
    }
}
