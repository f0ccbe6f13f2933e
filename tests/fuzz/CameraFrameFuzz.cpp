// libFuzzer target: what a kiosk page sends as a camera frame, and what the
// decoder process reads from lojald: the frame header parser, the decode
// request parser, and the message reader fed in chunks the input chooses. A
// frame that passes must be exactly width*height pixels within the limits.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "camera/CameraFrame.h"
#include "camera/DecoderProtocol.h"

using namespace lojal::camera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FrameProblem problem;
    if (const auto frame = parseFrame(data, size, problem)) {
        const auto& h = frame->header;
        if (h.width < kMinFrameSide || h.width > kMaxFrameSide || h.height < kMinFrameSide ||
            h.height > kMaxFrameSide || size != kFrameHeaderBytes + size_t(h.width) * h.height)
            __builtin_trap();
        if (encodeFrame(h, frame->pixels) != std::string(reinterpret_cast<const char*>(data), size))
            __builtin_trap();
    } else if (problem.code.empty()) {
        __builtin_trap();  // every refusal has a code
    }
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    if (const auto request = parseDecodeRequest(bytes, problem)) {
        if (request->formats == 0 || (request->formats & ~kKnownFormats)) __builtin_trap();
    }
    MessageReader reader(1024);
    size_t at = 0;
    while (at < size && !reader.broken()) {
        const size_t chunk = std::min<size_t>(1 + data[at] % 97, size - at);
        reader.feed(bytes.data() + at, chunk);
        while (auto body = reader.next())
            if (body->size() > 1024) __builtin_trap();
        at += chunk;
    }
    return 0;
}
