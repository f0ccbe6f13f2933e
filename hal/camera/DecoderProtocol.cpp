#include "camera/DecoderProtocol.h"

namespace lojal::camera {

std::string encodeDecodeRequest(const DecodeRequest& request) {
    std::string body;
    body.reserve(4 + request.frame.size());
    body += static_cast<char>(kDecodeRequestKind);
    body += static_cast<char>(request.flags);
    body += static_cast<char>(request.formats & 0xff);
    body += static_cast<char>(request.formats >> 8);
    body += request.frame;
    return body;
}

std::optional<DecodeRequest> parseDecodeRequest(const std::string& body, FrameProblem& problem) {
    if (body.size() < 4 || static_cast<uint8_t>(body[0]) != kDecodeRequestKind) {
        problem = {"bad_request", "not a decode request"};
        return std::nullopt;
    }
    DecodeRequest request;
    request.flags = static_cast<uint8_t>(body[1]);
    request.formats =
        static_cast<uint16_t>(static_cast<uint8_t>(body[2]) | (static_cast<uint8_t>(body[3]) << 8));
    if (request.formats == 0 || (request.formats & ~kKnownFormats) != 0) {
        problem = {"bad_formats", "the formats name none, or one this decoder does not know"};
        return std::nullopt;
    }
    request.frame = body.substr(4);
    const auto* bytes = reinterpret_cast<const uint8_t*>(request.frame.data());
    if (!parseFrame(bytes, request.frame.size(), problem)) return std::nullopt;
    return request;
}

std::string withLength(const std::string& body) {
    std::string message;
    message.reserve(4 + body.size());
    for (int shift = 0; shift < 32; shift += 8)
        message += static_cast<char>((body.size() >> shift) & 0xff);
    return message + body;
}

std::optional<std::string> MessageReader::next() {
    if (broken_ || buffer_.size() < 4) return std::nullopt;
    size_t length = 0;
    for (int i = 3; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(buffer_[size_t(i)]);
    if (length > max_) {
        broken_ = true;
        return std::nullopt;
    }
    if (buffer_.size() < 4 + length) return std::nullopt;
    std::string body = buffer_.substr(4, length);
    buffer_.erase(0, 4 + length);
    return body;
}

}  // namespace lojal::camera
