// libFuzzer target: the whole scan path a serial scanner's bytes take, minus the
// port: framing (suffix chosen by the first byte), AIM, check digits, GS1,
// Digital Link, member tokens, classification and the JSON event payload.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "barcode/Gs1.h"
#include "barcode/Scan.h"
#include "barcode/ScanEvent.h"
#include "core/Utf8.h"
#include "drivers/serial-scanner/ScannerProtocol.h"

using namespace lojal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const char* suffixes[] = {"\r", "\n", "\r\n", ""};
    hal::FramingOptions options;
    options.suffix = suffixes[data[0] % 4];
    options.prefix = data[0] & 0x10 ? "\x02" : "";
    options.maxFrameBytes = 256;
    hal::ScanFramer framer(options);
    barcode::ClassifierConfig config;
    config.memberCardRanges = {{"2990000000000", "2990999999999"}};
    config.memberQrKey = "fuzz-member-qr-key";

    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    hal::FramerOutput out;
    hal::ScanFramer::TimePoint now{};
    // Feed in uneven chunks with time passing, so timeouts fire too.
    for (size_t pos = 0; pos < input.size();) {
        const size_t chunk = 1 + (static_cast<unsigned char>(input[pos]) % 17);
        framer.feed(input.substr(pos, chunk), now, out);
        now += std::chrono::milliseconds(input[pos] & 0x3f);
        framer.tick(now, out);
        pos += chunk;
    }
    framer.tick(now + std::chrono::seconds(1), out);
    for (const std::string& frame : out.frames) {
        const barcode::Scan scan = barcode::decodeScan(frame, config, 1795000000);
        std::ostringstream json;
        barcode::scanToJson(scan).stringify(json);
        if (!isValidUtf8(json.str())) __builtin_trap();  // events must always be valid JSON text
    }
    (void)barcode::parseGs1ElementString(input);
    (void)barcode::parseDigitalLink(input);
    return 0;
}
