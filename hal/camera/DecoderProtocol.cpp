#include "camera/DecoderProtocol.h"

#include <algorithm>
#include <utility>

namespace lojal::camera {

namespace {
constexpr std::pair<std::string_view, Format> kFormatNames[] = {
    {"qr", kQrCode}, {"ean13", kEan13}, {"ean8", kEan8}, {"upca", kUpcA}, {"upce", kUpcE}};
}  // namespace

Result<uint16_t> parseFormats(std::string_view text) {
    uint16_t formats = 0;
    while (true) {
        const size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        const auto* found = std::find_if(std::begin(kFormatNames), std::end(kFormatNames),
                                         [&](const auto& entry) { return entry.first == item; });
        if (found == std::end(kFormatNames)) {
            return Error{ErrorCode::arg, std::string("'").append(item).append(
                                             "' is not a camera format: expected qr, ean13, "
                                             "ean8, upca or upce, comma-separated")};
        }
        formats |= found->second;
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return formats;
}

std::string formatsToString(uint16_t formats) {
    std::string text;
    for (const auto& [name, bit] : kFormatNames) {
        if (!(formats & bit)) continue;
        if (!text.empty()) text += ',';
        text += name;
    }
    return text;
}

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
        problem = {"bad_request", "not a decode request", std::nullopt};
        return std::nullopt;
    }
    DecodeRequest request;
    request.flags = static_cast<uint8_t>(body[1]);
    request.formats =
        static_cast<uint16_t>(static_cast<uint8_t>(body[2]) | (static_cast<uint8_t>(body[3]) << 8));
    if (request.formats == 0 || (request.formats & ~kKnownFormats) != 0) {
        problem = {"bad_formats", "the formats name none, or one this decoder does not know",
                   std::nullopt};
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
