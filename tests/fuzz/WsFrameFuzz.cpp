// libFuzzer target: what a WebSocket client sends to /v1/events, through the
// frame reader in chunks whose sizes the input chooses, and the message assembler. Every frame it
// returns must be within the limit, control frames at most 125 bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "api/WsFrame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    lojal::ws::FrameReader reader(4096);
    lojal::ws::MessageAssembler assembler(4096);
    size_t at = 0;
    while (at < size) {
        const size_t chunk = std::min<size_t>(1 + data[at] % 64, size - at);
        const auto result = reader.feed(reinterpret_cast<const char*>(data + at), chunk);
        for (const auto& frame : result.frames) {
            if (frame.payload.size() > 4096) __builtin_trap();
            if (frame.opcode >= lojal::ws::kClose && frame.payload.size() > 125) __builtin_trap();
            const auto joined = assembler.add(frame);
            if (joined.message && joined.message->payload.size() > 4096) __builtin_trap();
            if (joined.message && joined.message->opcode == lojal::ws::kContinuation)
                __builtin_trap();
        }
        at += chunk;
    }
    (void)lojal::ws::serverFrame(lojal::ws::kText,
                                 std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
