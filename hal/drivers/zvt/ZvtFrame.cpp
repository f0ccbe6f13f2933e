#include "drivers/zvt/ZvtFrame.h"

#include <algorithm>

namespace lojal::hal::zvt {

uint16_t crc16Kermit(const uint8_t* data, size_t size, uint16_t crc) {
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1;
    }
    return crc;
}

Bytes encodeFrame(const Bytes& apdu) {
    Bytes frame{kDle, kStx};
    frame.reserve(apdu.size() + 8);
    for (uint8_t byte : apdu) {
        frame.push_back(byte);
        if (byte == kDle) frame.push_back(kDle);  // code transparency
    }
    uint16_t crc = crc16Kermit(apdu.data(), apdu.size());
    crc = crc16Kermit(&kEtx, 1, crc);
    frame.push_back(kDle);
    frame.push_back(kEtx);
    frame.push_back(static_cast<uint8_t>(crc & 0xFF));
    frame.push_back(static_cast<uint8_t>(crc >> 8));
    return frame;
}

void FrameDecoder::reset() {
    state_ = State::idle;
    apdu_.clear();
    noise_ = 0;
}

std::optional<FrameDecoder::Event> FrameDecoder::poll(int64_t nowMs) {
    if (state_ == State::idle || nowMs - lastByteMs_ <= t1Ms_) return std::nullopt;
    reset();
    return Event{Event::Kind::t1Timeout, {}};
}

void FrameDecoder::finish(std::vector<Event>& events) {
    uint16_t crc = crc16Kermit(apdu_.data(), apdu_.size());
    crc = crc16Kermit(&kEtx, 1, crc);
    const uint16_t sent = static_cast<uint16_t>(crcLow_ | (crcHigh_ << 8));
    events.push_back({crc == sent ? Event::Kind::frame : Event::Kind::badCrc,
                      crc == sent ? std::move(apdu_) : Bytes{}});
    apdu_.clear();
    state_ = State::idle;
}

std::vector<FrameDecoder::Event> FrameDecoder::feed(const uint8_t* data, size_t size,
                                                    int64_t nowMs) {
    std::vector<Event> events;
    if (size > 0 && state_ != State::idle && nowMs - lastByteMs_ > t1Ms_) {
        reset();
        events.push_back({Event::Kind::t1Timeout, {}});
    }
    const auto noiseDone = [&] {
        if (noise_ > 0) events.push_back({Event::Kind::noise, {}});
        noise_ = 0;
    };
    for (size_t i = 0; i < size; ++i) {
        const uint8_t byte = data[i];
        switch (state_) {
            case State::idle:
                if (byte == kDle) {
                    state_ = State::sawDle;
                } else if (byte == kAck || byte == kNak) {
                    noiseDone();
                    events.push_back({byte == kAck ? Event::Kind::ack : Event::Kind::nak, {}});
                } else {
                    ++noise_;
                }
                break;
            case State::sawDle:
                if (byte == kStx) {
                    noiseDone();
                    state_ = State::body;
                    apdu_.clear();
                } else {
                    noise_ += 2;
                    state_ = byte == kDle ? State::sawDle : State::idle;
                }
                break;
            case State::body:
                if (byte == kDle) {
                    state_ = State::bodyDle;
                } else if (apdu_.size() >= kMaxApdu) {
                    reset();
                    events.push_back({Event::Kind::tooLong, {}});
                } else {
                    apdu_.push_back(byte);
                }
                break;
            case State::bodyDle:
                if (byte == kDle) {
                    if (apdu_.size() >= kMaxApdu) {
                        reset();
                        events.push_back({Event::Kind::tooLong, {}});
                        break;
                    }
                    apdu_.push_back(kDle);
                    state_ = State::body;
                } else if (byte == kEtx) {
                    state_ = State::crcLow;
                } else {
                    reset();
                    events.push_back({Event::Kind::malformed, {}});
                }
                break;
            case State::crcLow:
                crcLow_ = byte;
                state_ = State::crcHigh;
                break;
            case State::crcHigh:
                crcHigh_ = byte;
                finish(events);
                break;
        }
    }
    if (state_ == State::idle) noiseDone();
    if (size > 0) lastByteMs_ = nowMs;
    return events;
}

// The bytes the APDU being assembled needs in all, as far as its header tells.
size_t ApduStream::wanted() const {
    if (buffer_.size() < 3) return 3;
    if (buffer_[2] != 0xFF) return 3 + size_t{buffer_[2]};
    if (buffer_.size() < 5) return 5;
    return 5 + (size_t{buffer_[3]} | size_t{buffer_[4]} << 8);  // little-endian
}

std::vector<ApduStream::Event> ApduStream::feed(const uint8_t* data, size_t size, int64_t nowMs) {
    std::vector<Event> events;
    if (size > 0) lastByteMs_ = nowMs;
    size_t at = 0;
    while (true) {
        const size_t want = wanted();
        if (buffer_.size() == want) {
            events.push_back({Event::Kind::apdu, std::move(buffer_)});
            buffer_.clear();
            continue;
        }
        if (at == size) break;
        // Only what this APDU still needs: the buffer never holds more than one.
        const size_t take = std::min(want - buffer_.size(), size - at);
        buffer_.insert(buffer_.end(), data + at, data + at + take);
        at += take;
    }
    return events;
}

std::optional<ApduStream::Event> ApduStream::poll(int64_t nowMs) {
    if (buffer_.empty() || nowMs - lastByteMs_ <= stallMs_) return std::nullopt;
    buffer_.clear();
    return Event{Event::Kind::stalled, {}};
}

}  // namespace lojal::hal::zvt
