#pragma once
// A kiosk camera frame as the browser sends it on GET /v1/camera, and as lojald
// hands it to lojal-decode: a 12-byte header, then width*height 8-bit luma
// pixels, row by row. Pure: bytes in, a checked view or a refusal with a stable
// code out; nothing is decoded before every field has been checked.
//
//   offset 0  'L' 'F'      magic
//          2  1            version
//          3  0            flags (none defined yet: must be 0)
//          4  u16 LE       width   (16-1280)
//          6  u16 LE       height  (16-1280)
//          8  u32 LE       sequence number (the reply carries it back)
//         12  luma         width*height bytes, nothing after

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace lojal::camera {

constexpr size_t kFrameHeaderBytes = 12;
constexpr uint8_t kFrameVersion = 1;
constexpr int kMinFrameSide = 16;
constexpr int kMaxFrameSide = 1280;
constexpr size_t kMaxFrameBytes = kFrameHeaderBytes + size_t{kMaxFrameSide} * kMaxFrameSide;

struct FrameHeader {
    int width = 0;
    int height = 0;
    uint32_t seq = 0;
};

// A checked frame; pixels point into the buffer it was parsed from.
struct FrameView {
    FrameHeader header;
    const uint8_t* pixels = nullptr;
};

// Why a frame was refused: code is stable ("frame_too_short", ...), message
// says what was wrong in a sentence.
struct FrameProblem {
    std::string code;
    std::string message;
    std::optional<uint32_t> seq;  // when the header got as far as its sequence number
};

std::optional<FrameView> parseFrame(const uint8_t* data, size_t size, FrameProblem& problem);

// The header and pixels as bytes (tests, tools, and lojald to lojal-decode).
std::string encodeFrame(const FrameHeader& header, const uint8_t* pixels);

}  // namespace lojal::camera
