#pragma once
// One ZVT terminal seen from the register, as a pure state machine: bytes and
// time in, bytes to write and flow events out. No I/O, no threads, no clock of
// its own, so every path (NAK, T1-T4, 84 xx, 84 9C, garbage, silence) is
// tested by feeding bytes and advancing a number.
//
// A flow: send the command and wait for the transport ACK (T2, sent again up to
// twice on NAK or silence) -> wait for 80 00 / 84 xx (T3) -> the terminal is
// master: acknowledge each 04 FF, 04 0F, 06 D1/D3 with ACK + 80 00 00 (T4
// restarts on status messages) -> 06 0F completion or 06 1E abort ends it.
// Every flow ends with exactly one `finished` event, at the latest T4 after
// the terminal's last sign of life.

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

struct FlowEvent {
    enum class Kind {
        intermediate,  // 04 FF: what the terminal shows (insert card, PIN, ...)
        status,        // 04 0F: card and transaction data (info)
        printLine,     // 06 D1 / D3: text for the receipt
        finished,      // the end: ok, or code + reason
    } kind = Kind::finished;
    bool ok = false;
    int code = -1;     // ZVT result / error code, -1 when none applies
    std::string text;  // reason, print line or intermediate status
    StatusInformation info;
    Bytes completion;  // the data of 06 0F, for flows whose completion is positional
};

class ZvtSession {
  public:
    struct Output {
        Bytes write;
        std::vector<FlowEvent> events;
    };

    explicit ZvtSession(Timeouts timeouts = {}) : timeouts_(timeouts), decoder_(timeouts.t1Ms) {}

    // Sends command (an APDU); withCompletion: the terminal becomes master after
    // 80 00 and ends with 06 0F or 06 1E (read card, payment, registration).
    // Refused (empty output, false) while a flow runs.
    bool start(const Bytes& command, bool withCompletion, int64_t nowMs, Output& out);
    Output onBytes(const uint8_t* data, size_t size, int64_t nowMs);
    Output onTick(int64_t nowMs);
    // The register gives up: before the terminal answered, the flow ends now;
    // while the terminal is master, 06 B0 goes out instead of the next answer.
    Output abort(int64_t nowMs);
    bool busy() const { return state_ != State::idle; }
    // Noise bytes and bad frames seen, for /metrics.
    int protocolErrors() const { return protocolErrors_; }

  private:
    enum class State { idle, awaitAck, awaitResponse, terminalMaster, awaitAbortAck };
    void handleFrame(const Bytes& apdu, int64_t nowMs, Output& out);
    void handleTerminalCommand(const Apdu& apdu, int64_t nowMs, Output& out);
    void send(const Bytes& apdu, int64_t nowMs, Output& out);
    void finish(bool ok, int code, const std::string& reason, Output& out);
    void repeatOrFail(const std::string& reason, int64_t nowMs, Output& out);
    static void append(Bytes& to, const Bytes& bytes) {
        to.insert(to.end(), bytes.begin(), bytes.end());
    }

    Timeouts timeouts_;
    FrameDecoder decoder_;
    State state_ = State::idle;
    Bytes command_;  // for repeats
    bool withCompletion_ = false;
    int repeats_ = 0;     // transport repeats of command_
    int pleaseWait_ = 0;  // 84 9C answers to this command
    int64_t deadlineMs_ = 0;
    bool abortWanted_ = false;
    StatusInformation lastStatus_;
    Bytes completion_;
    int protocolErrors_ = 0;
};

}  // namespace lojal::hal::zvt
