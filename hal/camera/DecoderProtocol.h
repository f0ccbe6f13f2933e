#pragma once
// What lojald and its decoder process (lojal-decode) say to each other over a
// socket pair: length-prefixed messages (u32 little-endian byte count, then
// the bytes). lojald sends a decode request: kind 1, flags (bit 0: try harder),
// the formats wanted (u16 bit set), then a camera frame exactly as the browser
// sent it (CameraFrame.h). The decoder answers one JSON text per request:
//   {"seq":7,"found":true,"format":"QRCode","symbology":"]Q1","text":"..."}
//   {"seq":7,"found":false}
// Pure: no I/O.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/Result.h"

#include "camera/CameraFrame.h"

namespace lojal::camera {

// The formats a camera frame may be decoded as (config `camera.formats`).
enum Format : uint16_t {
    kQrCode = 1 << 0,
    kEan13 = 1 << 1,
    kEan8 = 1 << 2,
    kUpcA = 1 << 3,
    kUpcE = 1 << 4,
};
constexpr uint16_t kKnownFormats = kQrCode | kEan13 | kEan8 | kUpcA | kUpcE;

// "qr,ean13,ean8,upca,upce" (any of them, comma-separated, at least one).
Result<uint16_t> parseFormats(std::string_view text);
std::string formatsToString(uint16_t formats);

constexpr uint8_t kDecodeRequestKind = 1;
constexpr uint8_t kTryHarder = 1 << 0;
// A request is at most a whole frame plus 4 bytes; an answer is small JSON.
constexpr size_t kMaxDecoderMessage = kMaxFrameBytes + 4;

struct DecodeRequest {
    uint8_t flags = 0;
    uint16_t formats = kQrCode;
    std::string frame;  // header + luma, as CameraFrame.h describes
};

std::string encodeDecodeRequest(const DecodeRequest& request);  // the body, without length
// The body of a request; nullopt with the problem when it is not one.
std::optional<DecodeRequest> parseDecodeRequest(const std::string& body, FrameProblem& problem);

// body -> u32 length + body
std::string withLength(const std::string& body);

// Splits a byte stream into messages; a length above `max` marks the stream
// broken (the peer is not speaking this protocol).
class MessageReader {
  public:
    explicit MessageReader(size_t max) : max_(max) {}
    void feed(const char* bytes, size_t size) { buffer_.append(bytes, size); }
    std::optional<std::string> next();
    bool broken() const { return broken_; }

  private:
    size_t max_;
    std::string buffer_;
    bool broken_ = false;
};

}  // namespace lojal::camera
