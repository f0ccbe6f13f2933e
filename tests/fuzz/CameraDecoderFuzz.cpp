// libFuzzer target: random luma buffers through the real decoder process, as
// lojald sends them (DecoderSupervisor -> lojal-decode with ZXing 1.4.0). The
// input picks the frame size (16-160 per side), the formats and tryHarder; its
// bytes, repeated, are the pixels. Every frame must be answered: found or not,
// or the decoder died and was restarted (counted and printed at exit). Any
// other answer, or a hang of this process, is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "camera/CameraFrame.h"
#include "camera/DecoderProtocol.h"
#include "camera/DecoderSupervisor.h"

namespace {

lojal::DecoderSupervisor& supervisor() {
    static lojal::DecoderSupervisor instance([] {
        lojal::DecoderOptions options;
        options.program = LOJAL_DECODE_PATH;
        options.deadline = std::chrono::milliseconds(2000);  // the decoder may be slow under load
        return options;
    }());
    return instance;
}

unsigned long survived = 0;

void report() {
    std::fprintf(stderr, "camera decoder fuzz: %lu decoder crash(es) survived, %d restart(s)\n",
                 survived, supervisor().restarts());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool registered = [] { return std::atexit(report) == 0; }();
    (void)registered;
    if (size < 4) return 0;
    const int width = 16 + data[0] % 145;
    const int height = 16 + data[1] % 145;
    lojal::camera::DecodeRequest request;
    request.flags = data[2] & lojal::camera::kTryHarder;
    request.formats = static_cast<uint16_t>(1 + data[3] % lojal::camera::kKnownFormats);
    std::string pixels(size_t(width) * height, '\0');
    const size_t body = size - 4;
    for (size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = body == 0 ? '\0' : static_cast<char>(data[4 + i % body]);
    request.frame = lojal::camera::encodeFrame({width, height, 1},
                                               reinterpret_cast<const uint8_t*>(pixels.data()));
    const lojal::DecodeAnswer answer = supervisor().decode(request);
    if (answer.error == "decoder_restarted" || answer.error == "decoder_restarting") {
        ++survived;
    } else if (!answer.error.empty()) {
        std::fprintf(stderr, "unexpected answer: %s (%s)\n", answer.error.c_str(),
                     answer.why.c_str());
        __builtin_trap();
    }
    return 0;
}
