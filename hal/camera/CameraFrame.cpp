#include "camera/CameraFrame.h"

namespace lojal::camera {
namespace {

uint16_t u16At(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

uint32_t u32At(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

std::nullopt_t refuse(FrameProblem& problem, const char* code, std::string message) {
    problem.code = code;
    problem.message = std::move(message);
    return std::nullopt;
}

}  // namespace

std::optional<FrameView> parseFrame(const uint8_t* data, size_t size, FrameProblem& problem) {
    if (size < kFrameHeaderBytes) {
        return refuse(
            problem, "frame_too_short",
            "a frame starts with a 12-byte header; got " + std::to_string(size) + " bytes");
    }
    if (data[0] != 'L' || data[1] != 'F')
        return refuse(problem, "bad_magic", "a frame starts with 'LF'");
    if (data[2] != kFrameVersion) {
        return refuse(problem, "unsupported_version",
                      "frame version " + std::to_string(data[2]) + " is not 1");
    }
    FrameView frame;
    frame.header.width = u16At(data + 4);
    frame.header.height = u16At(data + 6);
    frame.header.seq = u32At(data + 8);
    problem.seq = frame.header.seq;  // a version-1 header: the reply can name the frame
    if (data[3] != 0) return refuse(problem, "bad_flags", "no frame flags are defined: send 0");
    const auto outside = [](int side) { return side < kMinFrameSide || side > kMaxFrameSide; };
    if (outside(frame.header.width) || outside(frame.header.height)) {
        return refuse(problem, "bad_frame_size",
                      "width and height must be 16 to 1280; got " +
                          std::to_string(frame.header.width) + "x" +
                          std::to_string(frame.header.height));
    }
    const size_t pixels = size_t(frame.header.width) * size_t(frame.header.height);
    if (size - kFrameHeaderBytes != pixels) {
        return refuse(problem, "frame_length_mismatch",
                      "a " + std::to_string(frame.header.width) + "x" +
                          std::to_string(frame.header.height) + " frame has " +
                          std::to_string(pixels) + " luma bytes; got " +
                          std::to_string(size - kFrameHeaderBytes));
    }
    frame.pixels = data + kFrameHeaderBytes;
    return frame;
}

std::string encodeFrame(const FrameHeader& header, const uint8_t* pixels) {
    std::string bytes;
    const size_t count = size_t(header.width) * size_t(header.height);
    bytes.reserve(kFrameHeaderBytes + count);
    const auto put16 = [&](uint16_t v) {
        bytes += static_cast<char>(v & 0xff);
        bytes += static_cast<char>(v >> 8);
    };
    bytes += "LF";
    bytes += static_cast<char>(kFrameVersion);
    bytes += '\0';
    put16(static_cast<uint16_t>(header.width));
    put16(static_cast<uint16_t>(header.height));
    for (int shift = 0; shift < 32; shift += 8)
        bytes += static_cast<char>((header.seq >> shift) & 0xff);
    bytes.append(reinterpret_cast<const char*>(pixels), count);
    return bytes;
}

}  // namespace lojal::camera
