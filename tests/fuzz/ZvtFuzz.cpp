// libFuzzer target: what a ZVT terminal's bytes go through, minus the port. The
// first byte picks the mode: the frame decoder with the APDU and BMP/TLV parsers
// behind it, the TLV parser alone, or a whole flow (read card, payment or status
// enquiry, over serial or TCP, with or without an abort from the register) in
// the session state machine with the clock advanced between chunks (T1-T4 paths).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "drivers/zvt/ZvtApdu.h"
#include "drivers/zvt/ZvtFrame.h"
#include "drivers/zvt/ZvtSession.h"

using namespace lojal::hal::zvt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t mode = data[0] % 3;
    const uint8_t variant = data[0] / 3;  // flow, link and abort for mode 2
    ++data;
    --size;
    if (mode == 0) {
        FrameDecoder decoder;
        for (const auto& event : decoder.feed(data, size, 0)) {
            if (event.kind != FrameDecoder::Event::Kind::frame) continue;
            auto apdu = parseApdu(event.apdu);
            if (apdu) (void)parseStatusInformation(apdu->data);
        }
        (void)parseStatusInformation(Bytes(data, data + size));
    } else if (mode == 1) {
        (void)parseTlv(data, size);
    } else {
        const Link link = variant & 1 ? Link::tcp : Link::serial;
        ZvtSession session(Timeouts{200, 5000, 5000, 180000}, link);
        ZvtSession::Output out;
        int64_t now = 0;
        switch ((variant >> 1) % 3) {
            case 0: session.start(readCard(30), FlowEnd::statusInformation, now, out); break;
            case 1: session.start(authorization(100, 752), FlowEnd::completion, now, out); break;
            default: session.start(statusEnquiry(0), FlowEnd::completion, now, out); break;
        }
        const bool abortMidway = variant & 8;
        // Chunks of up to 16 bytes; the byte before each chunk advances the clock.
        size_t at = 0;
        while (at < size) {
            now += static_cast<int64_t>(data[at]) * 1000;
            ++at;
            const size_t chunk = std::min<size_t>(16, size - at);
            (void)session.onBytes(data + at, chunk, now);
            (void)session.onTick(now);
            at += chunk;
            if (abortMidway && at > size / 2) (void)session.abort(now);
        }
        // With the clock running on (a tick a second), every flow ends: at most
        // three T2 waits, then T3, then T4 after the terminal's last message, or
        // six sends of an Abort T2 or T3 apart.
        for (int second = 0; second < 400 && session.busy(); ++second) {
            now += 1000;
            (void)session.onTick(now);
        }
        if (session.busy()) __builtin_trap();
    }
    return 0;
}
