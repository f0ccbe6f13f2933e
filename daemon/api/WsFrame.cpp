#include "api/WsFrame.h"

#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>

#include <sstream>

namespace lojal::ws {

std::string acceptKey(const std::string& clientKey) {
    Poco::SHA1Engine sha1;
    sha1.update(clientKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const Poco::DigestEngine::Digest& digest = sha1.digest();
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.write(reinterpret_cast<const char*>(digest.data()),
                  static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

std::string serverFrame(Opcode opcode, std::string_view payload) {
    std::string frame;
    frame.reserve(payload.size() + 10);
    frame += static_cast<char>(0x80 | opcode);  // FIN, no extensions
    const uint64_t size = payload.size();
    if (size < 126) {
        frame += static_cast<char>(size);
    } else if (size <= 0xFFFF) {
        frame += static_cast<char>(126);
        frame += static_cast<char>(size >> 8);
        frame += static_cast<char>(size & 0xFF);
    } else {
        frame += static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>(size >> shift);
    }
    frame.append(payload);
    return frame;
}

std::string closeFrame(uint16_t code, std::string_view reason) {
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xFF);
    payload.append(reason.substr(0, 123));  // a control frame holds at most 125 bytes
    return serverFrame(kClose, payload);
}

std::optional<uint16_t> Frame::closeCode() const {
    if (opcode != kClose || payload.size() < 2) return std::nullopt;
    return static_cast<uint16_t>(static_cast<uint8_t>(payload[0]) << 8 |
                                 static_cast<uint8_t>(payload[1]));
}

FrameReader::Result FrameReader::feed(const char* data, size_t size) {
    Result result;
    const auto fail = [&](uint16_t code, std::string reason) {
        failed_ = true;
        buffer_.clear();
        result.error = code;
        result.reason = std::move(reason);
        return result;
    };
    if (failed_) return fail(kProtocolError, "the stream already failed");
    buffer_.append(data, size);
    while (buffer_.size() >= 2) {
        const auto byte = [&](size_t i) { return static_cast<uint8_t>(buffer_[i]); };
        const bool final = byte(0) & 0x80;
        if (byte(0) & 0x70) return fail(kProtocolError, "reserved bits set");
        const auto opcode = static_cast<Opcode>(byte(0) & 0x0F);
        const bool known = opcode <= kBinary || (opcode >= kClose && opcode <= kPong);
        if (!known) return fail(kProtocolError, "unknown opcode");
        if (!(byte(1) & 0x80)) return fail(kProtocolError, "client frames must be masked");
        uint64_t length = byte(1) & 0x7F;
        size_t at = 2;
        if (length == 126) {
            if (buffer_.size() < 4) break;
            length = uint64_t{byte(2)} << 8 | byte(3);
            at = 4;
        } else if (length == 127) {
            if (buffer_.size() < 10) break;
            length = 0;
            for (size_t i = 2; i < 10; ++i) length = length << 8 | byte(i);
            at = 10;
        }
        const bool control = opcode >= kClose;
        if (control && (length > 125 || !final))
            return fail(kProtocolError, "control frames are short and whole");
        if (length > maxPayload_) return fail(kTooBig, "frame too large");
        if (buffer_.size() < at + 4 + length) break;
        const size_t maskAt = at;
        Frame frame;
        frame.opcode = opcode;
        frame.final = final;
        frame.payload = buffer_.substr(maskAt + 4, static_cast<size_t>(length));
        for (size_t i = 0; i < frame.payload.size(); ++i)
            frame.payload[i] = static_cast<char>(frame.payload[i] ^ buffer_[maskAt + i % 4]);
        buffer_.erase(0, maskAt + 4 + static_cast<size_t>(length));
        result.frames.push_back(std::move(frame));
    }
    return result;
}

MessageAssembler::Result MessageAssembler::add(Frame frame) {
    Result result;
    const auto fail = [&](uint16_t code, std::string reason) {
        partial_.reset();
        result.error = code;
        result.reason = std::move(reason);
        return result;
    };
    if (frame.opcode >= kClose) {  // control frames are whole (FrameReader checks)
        result.message = std::move(frame);
        return result;
    }
    if (frame.opcode == kContinuation) {
        if (!partial_) return fail(kProtocolError, "a continuation frame with nothing to continue");
        if (partial_->payload.size() + frame.payload.size() > maxMessage_)
            return fail(kTooBig, "message too large");
        partial_->payload += frame.payload;
        if (!frame.final) return result;
        partial_->final = true;
        result.message = std::move(partial_);
        partial_.reset();
        return result;
    }
    if (partial_) return fail(kProtocolError, "a new message inside a fragmented one");
    if (frame.payload.size() > maxMessage_) return fail(kTooBig, "message too large");
    if (frame.final) {
        result.message = std::move(frame);
    } else {
        partial_ = std::move(frame);
    }
    return result;
}

}  // namespace lojal::ws
