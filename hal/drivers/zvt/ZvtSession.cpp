#include "drivers/zvt/ZvtSession.h"

namespace lojal::hal::zvt {
namespace {

constexpr int kMaxRepeats = 2;
constexpr int kMaxPleaseWait = 3;  // 84 9C: send the command again, a few times

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

}  // namespace

void ZvtSession::send(const Bytes& apdu, int64_t nowMs, Output& out) {
    append(out.write, encodeFrame(apdu));
    deadlineMs_ = nowMs + timeouts_.t2Ms;
}

bool ZvtSession::start(const Bytes& command, bool withCompletion, int64_t nowMs, Output& out) {
    if (busy()) return false;
    command_ = command;
    withCompletion_ = withCompletion;
    repeats_ = 0;
    pleaseWait_ = 0;
    abortWanted_ = false;
    lastStatus_ = StatusInformation{};
    completion_.clear();
    decoder_.reset();
    state_ = State::awaitAck;
    send(command_, nowMs, out);
    return true;
}

// PA00P016 3.5: after a NAK or T2 the message goes again, at most twice.
void ZvtSession::repeatOrFail(const std::string& reason, int64_t nowMs, Output& out) {
    if (repeats_ >= kMaxRepeats) return finish(false, -1, reason, out);
    ++repeats_;
    send(command_, nowMs, out);
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
}

ZvtSession::Output ZvtSession::abort(int64_t nowMs) {
    Output out;
    if (state_ == State::awaitAck || state_ == State::awaitResponse) {
        finish(false, -1, "aborted by the register before the terminal took the command", out);
    } else if (state_ == State::terminalMaster) {
        abortWanted_ = true;  // goes out as the answer to the terminal's next message
        (void)nowMs;
    }
    return out;
}

ZvtSession::Output ZvtSession::onTick(int64_t nowMs) {
    Output out;
    if (auto timeout = decoder_.poll(nowMs)) {  // half a message, then silence
        ++protocolErrors_;
        out.write.push_back(kNak);
    }
    if (state_ == State::idle || nowMs < deadlineMs_) return out;
    switch (state_) {
        case State::awaitAck:
            repeatOrFail("transmission error: no ACK from the terminal (T2)", nowMs, out);
            break;
        case State::awaitResponse:
            finish(false, -1, "the terminal did not answer the command (T3)", out);
            break;
        case State::terminalMaster:
        case State::awaitAbortAck:
            finish(false, -1, "the terminal went silent during the flow (T4)", out);
            break;
        case State::idle: break;
    }
    return out;
}

ZvtSession::Output ZvtSession::onBytes(const uint8_t* data, size_t size, int64_t nowMs) {
    Output out;
    for (FrameDecoder::Event& event : decoder_.feed(data, size, nowMs)) {
        using Kind = FrameDecoder::Event::Kind;
        switch (event.kind) {
            case Kind::frame:
                out.write.push_back(kAck);  // the frame is well-formed: acknowledge first
                handleFrame(event.apdu, nowMs, out);
                break;
            case Kind::ack:
                if (state_ == State::awaitAck) {
                    state_ = State::awaitResponse;
                    deadlineMs_ = nowMs + timeouts_.t3Ms;
                }
                break;
            case Kind::nak:
                if (state_ == State::awaitAck) {
                    repeatOrFail(
                        "transmission error: the terminal refused the message 3 times (NAK)", nowMs,
                        out);
                }
                break;
            case Kind::badCrc:
            case Kind::malformed:
            case Kind::tooLong:
            case Kind::t1Timeout:
                ++protocolErrors_;
                out.write.push_back(kNak);  // the terminal sends it again
                break;
            case Kind::noise: ++protocolErrors_; break;
        }
    }
    return out;
}

void ZvtSession::handleFrame(const Bytes& bytes, int64_t nowMs, Output& out) {
    auto apdu = parseApdu(bytes);
    if (!apdu) {
        ++protocolErrors_;
        if (state_ != State::idle)
            finish(false, -1, "terminal sent a bad APDU: " + apdu.error().message, out);
        return;
    }
    if (state_ == State::awaitAck) {  // the ACK got lost; the answer proves receipt
        state_ = State::awaitResponse;
    }
    if (state_ == State::awaitResponse) {
        if (apdu->cls == 0x80 || (apdu->cls == 0x84 && apdu->instr == 0x00)) {
            if (!withCompletion_) return finish(true, 0, "", out);
            state_ = State::terminalMaster;
            deadlineMs_ = nowMs + timeouts_.t4Ms;
            return;
        }
        if (apdu->cls == 0x84 && apdu->instr == 0x9C && pleaseWait_ < kMaxPleaseWait) {
            ++pleaseWait_;  // "please wait": the terminal asks for the command again
            repeats_ = 0;
            state_ = State::awaitAck;
            send(command_, nowMs, out);
            return;
        }
        if (apdu->cls == 0x84) {
            const std::string text = resultText(apdu->instr);
            return finish(false, apdu->instr,
                          "terminal refused the command: " + (text.empty() ? "error" : text), out);
        }
    }
    if (state_ == State::terminalMaster || state_ == State::awaitAbortAck) {
        return handleTerminalCommand(*apdu, nowMs, out);
    }
    // Idle, or an answer that makes no sense now: acknowledged, then ignored.
}

void ZvtSession::handleTerminalCommand(const Apdu& apdu, int64_t nowMs, Output& out) {
    deadlineMs_ = nowMs + timeouts_.t4Ms;
    const auto answer = [&] {
        if (abortWanted_ && state_ == State::terminalMaster) {
            abortWanted_ = false;
            state_ = State::awaitAbortAck;
            append(out.write, encodeFrame(abortCommand()));
        } else {
            append(out.write, encodeFrame(positiveCompletion()));
        }
    };
    FlowEvent event;
    switch (apdu.command()) {
        case 0x04FF:
            event.kind = FlowEvent::Kind::intermediate;
            event.text = intermediateText(apdu.data);
            out.events.push_back(event);
            return answer();
        case 0x040F:
            lastStatus_ = parseStatusInformation(apdu.data);
            event.kind = FlowEvent::Kind::status;
            event.info = lastStatus_;
            out.events.push_back(event);
            return answer();
        case 0x06D1:
        case 0x06D3: {
            event.kind = FlowEvent::Kind::printLine;
            // 06 D1: <attribute><text>; keep printable characters only.
            for (size_t i = apdu.command() == 0x06D1 ? 1 : 0; i < apdu.data.size(); ++i) {
                const uint8_t c = apdu.data[i];
                if (c >= 0x20 && c < 0x7F) event.text += static_cast<char>(c);
            }
            out.events.push_back(event);
            return answer();
        }
        case 0x060F: {
            append(out.write, encodeFrame(positiveCompletion()));
            // The completion may carry the terminal id (BMP 29) and a status byte.
            completion_ = apdu.data;
            const StatusInformation completion = parseStatusInformation(apdu.data);
            if (!completion.terminalId.empty()) lastStatus_.terminalId = completion.terminalId;
            const int result = lastStatus_.result.value_or(0);
            if (result != 0) return finish(false, result, resultText(result), out);
            return finish(true, 0, "", out);
        }
        case 0x061E: {
            append(out.write, encodeFrame(positiveCompletion()));
            const int code = apdu.data.empty() ? -1 : apdu.data[0];
            const std::string text = code >= 0 ? resultText(code) : "";
            return finish(false, code, "terminal aborted: " + (text.empty() ? "no reason" : text),
                          out);
        }
        default:
            // A command we do not handle: say so, as the spec asks (84 83).
            append(out.write, encodeFrame(encodeApdu(0x84, 0x83)));
            return;
    }
}

}  // namespace lojal::hal::zvt
