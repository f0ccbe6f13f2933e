#pragma once
// ZVT serial transport (PA00P016 chapter 3), pure: no I/O, no threads, no clock
// (the caller passes time in), so it is tested with byte vectors and fuzzed.
//
//   DLE STX <APDU, each DLE doubled> DLE ETX CRC-lo CRC-hi
//
// The CRC is CRC-16/KERMIT (poly 0x1021 reflected, init 0, no final xor) over
// the unstuffed APDU plus ETX; check("123456789") = 0x2189. The spec's
// "CRC-XModem" wording is misleading (see ../shared/reference/zvt/README.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lojal::hal::zvt {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kStx = 0x02;
constexpr uint8_t kEtx = 0x03;
constexpr uint8_t kAck = 0x06;
constexpr uint8_t kDle = 0x10;
constexpr uint8_t kNak = 0x15;

// 3 header bytes + the longest extended data block.
constexpr size_t kMaxApdu = 3 + 2 + 65535;

uint16_t crc16Kermit(const uint8_t* data, size_t size, uint16_t crc = 0);

// The message for apdu, ready for the wire.
Bytes encodeFrame(const Bytes& apdu);

// Reassembles what the terminal sends: messages, ACK and NAK, and noise.
// A byte that arrives more than T1 after the previous one inside a message
// ends that message as a T1 timeout (the caller answers NAK).
class FrameDecoder {
  public:
    struct Event {
        enum class Kind {
            frame,      // a whole message with a good CRC: apdu holds it (answer ACK)
            ack,        // 06 outside a message
            nak,        // 15 outside a message
            badCrc,     // a whole message whose CRC is wrong (answer NAK)
            malformed,  // DLE followed by something else than DLE or ETX (answer NAK)
            tooLong,    // longer than kMaxApdu (answer NAK)
            t1Timeout,  // silence of more than T1 inside a message (answer NAK)
            noise,      // bytes outside any message, dropped
        } kind;
        Bytes apdu;
    };

    explicit FrameDecoder(int t1Ms = 200) : t1Ms_(t1Ms) {}
    // Feeds bytes that arrived at nowMs; returns what they completed.
    std::vector<Event> feed(const uint8_t* data, size_t size, int64_t nowMs);
    // Called when nothing arrived: reports a T1 timeout of a half message.
    std::optional<Event> poll(int64_t nowMs);
    bool inMessage() const { return state_ != State::idle; }
    void reset();

  private:
    enum class State { idle, sawDle, body, bodyDle, crcLow, crcHigh };
    void finish(std::vector<Event>& events);

    int t1Ms_;
    State state_ = State::idle;
    Bytes apdu_;
    uint8_t crcLow_ = 0;
    uint8_t crcHigh_ = 0;
    int64_t lastByteMs_ = 0;
    size_t noise_ = 0;
};

// ZVT over TCP/IP (PA00P016 chapter 4): bare APDUs, no DLE/STX framing, no
// CRC and no ACK/NAK, since TCP already delivers in order. The receiver must
// cope with an APDU split across reads at any byte, so this reassembles them
// by their length field. A half APDU that stalls longer than stallMs means the
// stream is out of step: it is dropped and reported, and the caller reconnects
// (PA00P016 5.2.5, time-out case a).
class ApduStream {
  public:
    struct Event {
        enum class Kind { apdu, stalled } kind;
        Bytes apdu;
    };
    explicit ApduStream(int stallMs = 5000) : stallMs_(stallMs) {}
    std::vector<Event> feed(const uint8_t* data, size_t size, int64_t nowMs);
    std::optional<Event> poll(int64_t nowMs);
    bool inMessage() const { return !buffer_.empty(); }
    void reset() { buffer_.clear(); }

  private:
    size_t wanted() const;

    int stallMs_;
    Bytes buffer_;  // never more than one APDU: at most kMaxApdu bytes
    int64_t lastByteMs_ = 0;
};

}  // namespace lojal::hal::zvt
