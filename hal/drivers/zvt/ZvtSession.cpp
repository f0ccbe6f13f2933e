#include "drivers/zvt/ZvtSession.h"

namespace lojal::hal::zvt {
namespace {

constexpr int kMaxRepeats = 2;     // PA00P016 3.5: a message goes again at most twice
constexpr int kMaxPleaseWait = 3;  // 84 9C: send the command again, a few times
// An Abort that collides with the terminal's message: both sides repeat twice,
// the terminal falls back to its basic state and the register sends the Abort
// again (PA00P015 2.21): two rounds of three sends on serial. Over TCP nothing
// is lost in transit, so one more send after T3 is enough.
constexpr int kMaxAbortSendsSerial = 2 * (kMaxRepeats + 1);
constexpr int kMaxAbortSendsTcp = 2;
constexpr int kAbortResult = 0x6C;  // "abort or timeout"

std::string intermediateText(const Bytes& data) {
    if (data.empty()) return "";
    static const std::pair<uint8_t, const char*> texts[] = {
        {0x0A, "insert card"},   {0x0B, "remove card"},           {0x0E, "please wait"},
        {0x17, "please wait"},   {0x0C, "card not readable"},     {0x0D, "processing error"},
        {0x15, "incorrect PIN"}, {0x16, "reading card"},          {0x1E, "enter PIN"},
        {0x1B, "processing"},    {0x1C, "please confirm amount"}, {0x2A, "present card"}};
    for (const auto& [code, text] : texts) {
        if (data[0] == code) return text;
    }
    return "status " + std::to_string(data[0]);
}

bool isResponse(const Apdu& apdu) {
    return apdu.cls == 0x80 || apdu.cls == 0x84;
}
bool isPositive(const Apdu& apdu) {
    return apdu.cls == 0x80 || (apdu.cls == 0x84 && apdu.instr == 0x00);
}

}  // namespace

void ZvtSession::transmit(const Bytes& apdu, Output& out) {
    append(out.write, link_ == Link::serial ? encodeFrame(apdu) : apdu);
}

// Our answer to the message that ends a flow. On serial the terminal
// acknowledges it within T2; that ACK may come after a new command has gone
// out (a POS that starts a read the moment a payment ends), and must not be
// taken for the new command's.
void ZvtSession::transmitFinalAnswer(const Bytes& apdu, int64_t nowMs, Output& out) {
    transmit(apdu, out);
    if (link_ == Link::serial) finalAckDueMs_ = nowMs + timeouts_.t2Ms;
}

// A message the terminal must take: on serial its ACK comes first (T2), over
// TCP straight its answer (T3).
void ZvtSession::sendForAnswer(const Bytes& apdu, State awaitAckState, State awaitAnswerState,
                               int64_t nowMs, Output& out) {
    transmit(apdu, out);
    const bool serial = link_ == Link::serial;
    state_ = serial ? awaitAckState : awaitAnswerState;
    deadlineMs_ = nowMs + (serial ? timeouts_.t2Ms : timeouts_.t3Ms);
}

void ZvtSession::sendCommand(int64_t nowMs, Output& out) {
    sendForAnswer(command_, State::awaitAck, State::awaitResponse, nowMs, out);
}

void ZvtSession::sendAbort(int64_t nowMs, Output& out) {
    ++abortSends_;
    sendForAnswer(abortCommand(), State::abortAwaitAck, State::abortAwaitResponse, nowMs, out);
}

// The register's answer to a terminal command: 80 00 00, or the Abort that a
// flow other than Read Card can only send in this place.
void ZvtSession::answer(int64_t nowMs, Output& out) {
    if (abortWanted_ && state_ == State::terminalMaster) {
        abortWanted_ = false;
        state_ = State::abortAnswered;
        deadlineMs_ = nowMs + timeouts_.t4Ms;
        transmit(abortCommand(), out);
        return;
    }
    transmit(positiveCompletion(), out);
}

bool ZvtSession::start(const Bytes& command, FlowEnd end, int64_t nowMs, Output& out) {
    if (busy()) return false;
    command_ = command;
    end_ = end;
    repeats_ = 0;
    pleaseWait_ = 0;
    abortWanted_ = false;
    abortSends_ = 0;
    lastStatus_ = StatusInformation{};
    completion_.clear();
    decoder_.reset();
    stream_.reset();
    sendCommand(nowMs, out);
    return true;
}

// PA00P016 3.5: after a NAK or T2 the message goes again, at most twice.
void ZvtSession::repeatOrFail(const std::string& reason, int64_t nowMs, Output& out) {
    if (repeats_ >= kMaxRepeats) return finish(false, -1, reason, out);
    ++repeats_;
    sendCommand(nowMs, out);
}

void ZvtSession::repeatAbortOrFail(const std::string& reason, int64_t nowMs, Output& out) {
    const int limit = link_ == Link::serial ? kMaxAbortSendsSerial : kMaxAbortSendsTcp;
    if (abortSends_ >= limit) {
        if (link_ == Link::tcp) out.reconnect = true;
        return finish(false, -1, reason, out);
    }
    sendAbort(nowMs, out);
}

void ZvtSession::finish(bool ok, int code, const std::string& reason, Output& out) {
    FlowEvent event;
    event.kind = FlowEvent::Kind::finished;
    event.ok = ok;
    event.code = code;
    event.text = reason;
    event.info = lastStatus_;
    event.completion = completion_;
    out.events.push_back(std::move(event));
    state_ = State::idle;
    abortWanted_ = false;
}

ZvtSession::Output ZvtSession::abort(int64_t nowMs) {
    Output out;
    switch (state_) {
        case State::awaitAck:
        case State::awaitResponse: abortWanted_ = true; break;
        case State::terminalMaster:
            if (end_ == FlowEnd::statusInformation) {
                sendAbort(nowMs, out);
            } else {
                abortWanted_ = true;
            }
            break;
        case State::idle:
        case State::abortAwaitAck:
        case State::abortAwaitResponse:
        case State::abortAnswered: break;  // nothing to abort, or already on its way
    }
    return out;
}

ZvtSession::Output ZvtSession::onTick(int64_t nowMs) {
    Output out;
    if (link_ == Link::serial) {
        if (decoder_.poll(nowMs)) {  // half a message, then silence: T1
            ++protocolErrors_;
            out.write.push_back(kNak);
        }
    } else if (stream_.poll(nowMs)) {
        ++protocolErrors_;
        out.reconnect = true;
        if (busy()) finish(false, -1, "the terminal stopped half way through a message", out);
        return out;
    }
    if (state_ == State::idle || nowMs < deadlineMs_) return out;
    switch (state_) {
        case State::awaitAck:
            repeatOrFail("transmission error: no ACK from the terminal (T2)", nowMs, out);
            break;
        case State::awaitResponse:
            out.reconnect = link_ == Link::tcp;
            finish(false, -1, "the terminal did not answer the command (T3)", out);
            break;
        case State::terminalMaster:
        case State::abortAnswered:
            out.reconnect = link_ == Link::tcp;
            finish(false, -1, "the terminal went silent during the flow (T4)", out);
            break;
        case State::abortAwaitAck:
            repeatAbortOrFail("the terminal did not take the abort (T2)", nowMs, out);
            break;
        case State::abortAwaitResponse:
            repeatAbortOrFail("the terminal did not answer the abort (T3)", nowMs, out);
            break;
        case State::idle: break;
    }
    return out;
}

void ZvtSession::handleTransportError(Output& out) {
    ++protocolErrors_;
    out.write.push_back(kNak);  // the terminal sends it again
}

ZvtSession::Output ZvtSession::onBytes(const uint8_t* data, size_t size, int64_t nowMs) {
    Output out;
    if (link_ == Link::tcp) {
        for (ApduStream::Event& event : stream_.feed(data, size, nowMs))
            handleApdu(event.apdu, nowMs, out);
        return out;
    }
    for (FrameDecoder::Event& event : decoder_.feed(data, size, nowMs)) {
        using Kind = FrameDecoder::Event::Kind;
        switch (event.kind) {
            case Kind::frame:
                if (state_ == State::abortAwaitAck) {
                    // Our Abort and the terminal's message crossed: neither side
                    // acknowledges the other's; both repeat (PA00P015 2.21).
                    ++collisions_;
                    break;
                }
                out.write.push_back(kAck);  // the frame is well-formed: acknowledge first
                handleApdu(event.apdu, nowMs, out);
                break;
            case Kind::ack:
                if (nowMs < finalAckDueMs_) {
                    finalAckDueMs_ = 0;
                    // The ACK of the last flow's final answer (transmitFinalAnswer).
                    if (state_ == State::idle || state_ == State::awaitAck) break;
                }
                if (state_ == State::awaitAck) {
                    state_ = State::awaitResponse;
                    deadlineMs_ = nowMs + timeouts_.t3Ms;
                } else if (state_ == State::abortAwaitAck) {
                    state_ = State::abortAwaitResponse;
                    deadlineMs_ = nowMs + timeouts_.t3Ms;
                }
                break;
            case Kind::nak:
                if (state_ == State::awaitAck) {
                    repeatOrFail(
                        "transmission error: the terminal refused the message 3 times (NAK)", nowMs,
                        out);
                } else if (state_ == State::abortAwaitAck) {
                    repeatAbortOrFail("the terminal refused the abort (NAK)", nowMs, out);
                }
                break;
            case Kind::badCrc:
            case Kind::malformed:
            case Kind::tooLong:
            case Kind::t1Timeout: handleTransportError(out); break;
            case Kind::noise: ++protocolErrors_; break;
        }
    }
    return out;
}

void ZvtSession::handleApdu(const Bytes& bytes, int64_t nowMs, Output& out) {
    auto apdu = parseApdu(bytes);
    if (!apdu) {
        ++protocolErrors_;
        if (state_ != State::idle)
            finish(false, -1, "terminal sent a bad APDU: " + apdu.error().message, out);
        return;
    }
    switch (state_) {
        case State::awaitAck:  // the ACK got lost; the answer proves receipt
        case State::awaitResponse: return handleResponse(*apdu, nowMs, out);
        case State::abortAwaitResponse:
            if (isResponse(*apdu)) return handleAbortResponse(*apdu, nowMs, out);
            ++collisions_;  // a terminal message that crossed the Abort: not answered
            return;
        case State::terminalMaster:
        case State::abortAnswered: return handleTerminalCommand(*apdu, nowMs, out);
        case State::abortAwaitAck:  // frames are not taken in this state (see onBytes)
        case State::idle: return;   // acknowledged (serial), then ignored: no flow to feed
    }
}

void ZvtSession::handleResponse(const Apdu& apdu, int64_t nowMs, Output& out) {
    if (isPositive(apdu)) {
        if (end_ == FlowEnd::answer) return finish(true, 0, "", out);
        state_ = State::terminalMaster;
        deadlineMs_ = nowMs + timeouts_.t4Ms;
        if (abortWanted_ && end_ == FlowEnd::statusInformation) {
            abortWanted_ = false;
            sendAbort(nowMs, out);
        }
        return;
    }
    if (apdu.cls == 0x84 && apdu.instr == 0x9C && pleaseWait_ < kMaxPleaseWait) {
        ++pleaseWait_;  // "please wait": the terminal asks for the command again
        repeats_ = 0;
        sendCommand(nowMs, out);
        return;
    }
    if (apdu.cls == 0x84) {
        const std::string text = resultText(apdu.instr);
        return finish(false, apdu.instr,
                      "terminal refused the command: " + (text.empty() ? "error" : text), out);
    }
    // A terminal command before the answer makes no sense now: ignored.
}

void ZvtSession::handleAbortResponse(const Apdu& apdu, int64_t nowMs, Output& out) {
    if (isPositive(apdu)) {
        return finish(false, kAbortResult, "aborted by the register: the terminal confirmed", out);
    }
    // The terminal will not abort now (84 xx): the flow goes on, and says so.
    state_ = State::terminalMaster;
    deadlineMs_ = nowMs + timeouts_.t4Ms;
    FlowEvent refused;
    refused.kind = FlowEvent::Kind::intermediate;
    const std::string text = resultText(apdu.instr);
    refused.text = "the terminal refused the abort: " + (text.empty() ? "error" : text);
    out.events.push_back(std::move(refused));
}

void ZvtSession::handleTerminalCommand(const Apdu& apdu, int64_t nowMs, Output& out) {
    deadlineMs_ = nowMs + timeouts_.t4Ms;
    FlowEvent event;
    switch (apdu.command()) {
        case 0x04FF:
            event.kind = FlowEvent::Kind::intermediate;
            event.text = intermediateText(apdu.data);
            out.events.push_back(event);
            return answer(nowMs, out);
        case 0x040F: {
            lastStatus_ = parseStatusInformation(apdu.data);
            event.kind = FlowEvent::Kind::status;
            event.info = lastStatus_;
            out.events.push_back(event);
            if (end_ != FlowEnd::statusInformation) return answer(nowMs, out);
            // Read Card: this status hands master rights back; no completion follows.
            transmitFinalAnswer(positiveCompletion(), nowMs, out);
            const int result = lastStatus_.result.value_or(0);
            if (result != 0) return finish(false, result, resultText(result), out);
            return finish(true, 0, "", out);
        }
        case 0x06D1:
        case 0x06D3: {
            event.kind = FlowEvent::Kind::printLine;
            // 06 D1: <attribute><text>; 06 D3 a text block. The terminal's
            // character set (CP437 unless registration chose another).
            const size_t skip = apdu.command() == 0x06D1 && !apdu.data.empty() ? 1 : 0;
            event.text = terminalText(apdu.data.data() + skip, apdu.data.size() - skip);
            out.events.push_back(event);
            return answer(nowMs, out);
        }
        case 0x060F: {
            transmitFinalAnswer(positiveCompletion(), nowMs, out);
            if (end_ == FlowEnd::statusInformation) {
                return finish(false, -1, "the terminal ended the read without card data", out);
            }
            // The completion may carry the terminal id (BMP 29) and a status byte.
            completion_ = apdu.data;
            const StatusInformation completion = parseStatusInformation(apdu.data);
            if (!completion.terminalId.empty()) lastStatus_.terminalId = completion.terminalId;
            const int result = lastStatus_.result.value_or(0);
            if (result != 0) return finish(false, result, resultText(result), out);
            return finish(true, 0, "", out);
        }
        case 0x061E: {
            transmitFinalAnswer(positiveCompletion(), nowMs, out);
            const int code = apdu.data.empty() ? -1 : apdu.data[0];
            const std::string text = code >= 0 ? resultText(code) : "";
            return finish(false, code, "terminal aborted: " + (text.empty() ? "no reason" : text),
                          out);
        }
        default:
            // A command we do not handle: say so, as the spec asks (84 83).
            transmit(encodeApdu(0x84, 0x83), out);
            return;
    }
}

}  // namespace lojal::hal::zvt
