#pragma once
// One ZVT terminal seen from the register, as a pure state machine: bytes and
// time in, bytes to write and flow events out. No I/O, no threads, no clock of
// its own, so every path (NAK, T1-T4, 84 xx, 84 9C, garbage, silence, an abort
// that collides with the terminal's message) is tested by feeding bytes and
// advancing a number.
//
// A flow: send the command and wait for the transport ACK (serial only: T2,
// sent again up to twice on NAK or silence) -> wait for 80 00 / 84 xx (T3) ->
// then, depending on the command, the flow ends there, or the terminal is
// master (acknowledge each 04 FF, 04 0F, 06 D1/D3 with 80 00 00; T4 restarts
// on each) until the message that ends it. FLOWS.md beside this file says for
// each command which message ends it and where the specification says so.
// Every flow ends with exactly one `finished` event.

#include <algorithm>
#include <string>
#include <vector>

#include "drivers/zvt/ZvtApdu.h"

namespace lojal::hal::zvt {

struct Timeouts {
    int t1Ms = 200;
    int t2Ms = 5000;
    int t3Ms = 5000;
    int t4Ms = 180000;
};

// The transport under the APDUs (PA00P016 chapters 3 and 4).
enum class Link {
    serial,  // DLE STX ... DLE ETX CRC, each message acknowledged with ACK/NAK
    tcp,     // bare APDUs on a TCP stream, no transport acknowledgement
};

// How a command's flow ends (see FLOWS.md).
enum class FlowEnd {
    answer,             // with the terminal's 80 00 / 84 xx: Log-Off, Abort
    completion,         // the terminal is master until 06 0F or 06 1E: Registration,
                        // Authorization, Status Enquiry
    statusInformation,  // the terminal is master until its 04 0F (an implicit hand-back
                        // of master rights, no completion) or 06 1E: Read Card. The
                        // register may send Abort while it waits (PA00P015 2.21, 2.23).
};

struct FlowEvent {
    enum class Kind {
        intermediate,  // 04 FF: what the terminal shows (insert card, PIN, ...)
        status,        // 04 0F: card and transaction data (info)
        printLine,     // 06 D1 / D3: text for the receipt
        finished,      // the end: ok, or code + reason
    } kind = Kind::finished;
    bool ok = false;
    int code = -1;     // ZVT result / error code, -1 when none applies
    std::string text;  // reason, print line or intermediate status (UTF-8, no controls)
    StatusInformation info;
    Bytes completion;  // the data of 06 0F, for flows whose completion is positional
};

class ZvtSession {
  public:
    struct Output {
        Bytes write;
        std::vector<FlowEvent> events;
        // TCP only: the stream is out of step or the terminal stopped answering;
        // the caller closes the connection and opens a new one (PA00P016 5.2.5 a).
        bool reconnect = false;
    };

    explicit ZvtSession(Timeouts timeouts = {}, Link link = Link::serial)
        : timeouts_(timeouts),
          link_(link),
          decoder_(timeouts.t1Ms),
          stream_(std::max(timeouts.t3Ms, 1000)) {}

    // Sends command (an APDU) for a flow that ends as `end` says. Refused
    // (empty output, false) while a flow runs.
    bool start(const Bytes& command, FlowEnd end, int64_t nowMs, Output& out);
    Output onBytes(const uint8_t* data, size_t size, int64_t nowMs);
    Output onTick(int64_t nowMs);
    // The register gives up on the flow; it ends once the terminal has let go:
    // - Read Card, terminal master: 06 B0 goes out at once (PA00P015 2.21, 2.23);
    //   if it collides with the terminal's own message, both sides repeat, the
    //   terminal falls back to its basic state and the Abort is sent again.
    // - Other flows, terminal master: 06 B0 goes out instead of the answer to
    //   the terminal's next message, which then ends the flow with 06 1E.
    // - Before the terminal's 80 00: remembered and applied when it comes.
    Output abort(int64_t nowMs);
    bool busy() const { return state_ != State::idle; }
    // True when abort() put an Abort on the wire (not just remembered it).
    bool abortSent() const {
        return state_ == State::abortAwaitAck || state_ == State::abortAwaitResponse ||
               state_ == State::abortAnswered;
    }
    // Noise bytes and bad frames seen, for /metrics.
    int protocolErrors() const { return protocolErrors_; }
    // Messages that crossed the register's Abort on the wire (ignored, as both
    // sides do in a collision).
    int collisions() const { return collisions_; }

  private:
    enum class State {
        idle,
        awaitAck,            // our command is out; serial: its ACK (T2)
        awaitResponse,       // 80 00 / 84 xx to it (T3)
        terminalMaster,      // the terminal runs the flow (T4)
        abortAwaitAck,       // our own 06 B0 during Read Card; serial: its ACK (T2)
        abortAwaitResponse,  // 80 00 / 84 xx to that 06 B0 (T3)
        abortAnswered,       // 06 B0 went out as an answer; the terminal ends with 06 1E (T4)
    };
    void handleApdu(const Bytes& apdu, int64_t nowMs, Output& out);
    void handleResponse(const Apdu& apdu, int64_t nowMs, Output& out);
    void handleAbortResponse(const Apdu& apdu, int64_t nowMs, Output& out);
    void handleTerminalCommand(const Apdu& apdu, int64_t nowMs, Output& out);
    void handleTransportError(Output& out);
    void transmit(const Bytes& apdu, Output& out);
    void transmitFinalAnswer(const Bytes& apdu, int64_t nowMs, Output& out);
    void sendForAnswer(const Bytes& apdu, State awaitAckState, State awaitAnswerState,
                       int64_t nowMs, Output& out);
    void sendCommand(int64_t nowMs, Output& out);
    void sendAbort(int64_t nowMs, Output& out);
    void answer(int64_t nowMs, Output& out);
    void finish(bool ok, int code, const std::string& reason, Output& out);
    void repeatOrFail(const std::string& reason, int64_t nowMs, Output& out);
    void repeatAbortOrFail(const std::string& reason, int64_t nowMs, Output& out);
    static void append(Bytes& to, const Bytes& bytes) {
        to.insert(to.end(), bytes.begin(), bytes.end());
    }

    Timeouts timeouts_;
    Link link_;
    FrameDecoder decoder_;  // serial
    ApduStream stream_;     // tcp
    State state_ = State::idle;
    Bytes command_;  // for repeats
    FlowEnd end_ = FlowEnd::answer;
    int repeats_ = 0;     // transport repeats of the message in flight
    int pleaseWait_ = 0;  // 84 9C answers to this command
    int abortSends_ = 0;  // Aborts sent in this flow (repeats after a collision)
    int64_t deadlineMs_ = 0;
    int64_t finalAckDueMs_ =
        0;  // serial: until then an ACK may be the one for a flow's last answer
    bool abortWanted_ = false;
    StatusInformation lastStatus_;
    Bytes completion_;
    int protocolErrors_ = 0;
    int collisions_ = 0;
};

}  // namespace lojal::hal::zvt
