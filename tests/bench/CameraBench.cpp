// The kiosk camera's decoder beside zbar (the usual alternative), on the same
// frames made here: decode time per 640x480 frame and read rate, lojal-decode
// measured through its supervisor (socket round trip included) and zbar called
// in-process; then the decoder's restart time after a crash and its memory,
// and a frame's round trip over GET /v1/camera through a real lojald.
//
//   camera-bench [FRAMES]     (default 300)
#include <zbar.h>  // its C API, in namespace zbar when compiled as C++

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "BarcodeImages.h"
#include "LojaldProcess.h"
#include "barcode/MemberToken.h"
#include "camera/DecoderSupervisor.h"

using namespace lojal;
using namespace lojal::test;
using Clock = std::chrono::steady_clock;
using namespace zbar;

namespace {

struct Sample {
    LumaImage image;
    std::string text;
    uint16_t formats;
};

std::vector<Sample> corpus(int count) {
    std::mt19937 random(7);
    std::uniform_real_distribution<double> turn(0, 360), modules(2, 8), noise(0, 8);
    std::vector<Sample> samples;
    for (int i = 0; i < count; ++i) {
        BarcodeRender render;
        uint16_t formats = camera::kQrCode;
        if (i % 3 == 0) {
            render.text = barcode::signMemberToken(
                {std::string("M").append(std::to_string(i)), 1900000000}, "bench-key");
        } else if (i % 3 == 1) {
            render.text = std::string("https://id.gs1.org/01/09506000134352/10/LOT")
                              .append(std::to_string(i));
        } else {
            render.format = "EAN-13";
            render.text = "4006381333931";
            formats = camera::kEan13;
        }
        render.moduleSize = modules(random);
        render.rotationDegrees = render.format == "EAN-13" ? turn(random) / 8 - 22.5 : turn(random);
        render.noiseSigma = noise(random);
        render.seed = static_cast<uint32_t>(i);
        samples.push_back({renderBarcode(render), render.text, formats});
    }
    return samples;
}

double ms(Clock::time_point from) {
    return std::chrono::duration<double, std::milli>(Clock::now() - from).count();
}

long rssKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 300;
    const std::vector<Sample> samples = corpus(count);

    DecoderOptions options;
    options.program = LOJAL_DECODE_PATH;
    options.args = {"--test-hooks"};
    DecoderSupervisor decoder(options);
    zbar_image_scanner_t* scanner = zbar_image_scanner_create();
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(scanner, ZBAR_EAN13, ZBAR_CFG_ENABLE, 1);

    std::vector<double> ours, theirs;
    int oursRead = 0, theirsRead = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        const Sample& sample = samples[i];
        camera::DecodeRequest request;
        request.formats = sample.formats;
        request.frame = camera::encodeFrame({sample.image.width, sample.image.height, uint32_t(i)},
                                            sample.image.pixels.data());
        auto start = Clock::now();
        const DecodeAnswer answer = decoder.decode(request);
        ours.push_back(ms(start));
        oursRead += answer.found && answer.text == sample.text;

        start = Clock::now();
        zbar_image_t* image = zbar_image_create();
        zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
        zbar_image_set_size(image, unsigned(sample.image.width), unsigned(sample.image.height));
        zbar_image_set_data(image, sample.image.pixels.data(), sample.image.pixels.size(), nullptr);
        bool found = false;
        if (zbar_scan_image(scanner, image) > 0) {
            for (const zbar_symbol_t* symbol = zbar_image_first_symbol(image); symbol;
                 symbol = zbar_symbol_next(symbol))
                found = found || sample.text == zbar_symbol_get_data(symbol);
        }
        zbar_image_destroy(image);
        theirs.push_back(ms(start));
        theirsRead += found;
    }
    zbar_image_scanner_destroy(scanner);
    std::printf(
        "camera frames, 640x480, %d made here (member QR, GS1 Digital Link QR, EAN-13; 2-8 px per "
        "module, rotated, noise):\n",
        count);
    std::printf(
        "  lojal-decode (ZXing 1.4, via its socket)  p50 %6.2f ms  p99 %6.2f ms  read %d/%d\n",
        percentile(ours, 50), percentile(ours, 99), oursRead, count);
    std::printf(
        "  zbar 0.23 (in-process)                    p50 %6.2f ms  p99 %6.2f ms  read %d/%d\n",
        percentile(theirs, 50), percentile(theirs, 99), theirsRead, count);
    std::printf("  ratio lojal-decode / zbar: time p50 %.2f  p99 %.2f   read rate %.2f\n",
                percentile(ours, 50) / percentile(theirs, 50),
                percentile(ours, 99) / percentile(theirs, 99),
                theirsRead ? double(oursRead) / theirsRead : 0.0);
    if (decoder.decoderPid() > 0)
        std::printf("  lojal-decode RSS: %ld KiB\n", rssKib(decoder.decoderPid()));

    // Restart: a frame that aborts the decoder, then frames until one is read.
    std::vector<double> restarts;
    const Sample& qr = samples[0];
    camera::DecodeRequest crash, good;
    crash.frame =
        camera::encodeFrame({qr.image.width, qr.image.height, 0xFFFFFF01u}, qr.image.pixels.data());
    good.frame = camera::encodeFrame({qr.image.width, qr.image.height, 1}, qr.image.pixels.data());
    for (int i = 0; i < 20; ++i) {
        if (decoder.decode(crash).error != "decoder_restarted") return 1;
        const auto start = Clock::now();
        DecodeAnswer answer;
        while (!(answer = decoder.decode(good)).found) {
            if (answer.error != "decoder_restarting") return 1;
        }
        restarts.push_back(ms(start));
        decoder.decode(good);  // a good answer: the next crash is not "in a row"
    }
    std::printf(
        "decoder restart after a crash, to the next frame read (goal < 100 ms): p50 %.1f ms  max "
        "%.1f ms\n",
        percentile(restarts, 50), percentile(restarts, 100));

    // The kiosk's view: a frame sent on GET /v1/camera to its answer, at 5 frames
    // a second (a kiosk's pace), through a real lojald and its decoder.
    RunningLojald lojald("[camera]\nformats = qr,ean13\n");
    CameraClient camera(lojald.port, kKioskToken);
    std::vector<double> roundTrips;
    int wsRead = 0;
    const int wsFrames = std::min<int>(count, 60);
    const auto paceStart = Clock::now();
    for (int i = 0; i < wsFrames; ++i) {
        const Sample& sample = samples[size_t(i)];
        const std::string frame = camera::encodeFrame(
            {sample.image.width, sample.image.height, uint32_t(i)}, sample.image.pixels.data());
        std::this_thread::sleep_until(paceStart + std::chrono::milliseconds(200 * i));  // 5 fps
        const auto start = Clock::now();
        camera.send(frame);
        const std::string answer = camera.next();
        roundTrips.push_back(ms(start));
        wsRead += answer.find("\"found\":true") != std::string::npos;
    }
    std::printf(
        "GET /v1/camera, 640x480 frame sent -> answer received, 5 frames/s, %d frames (goal p99 < "
        "30 ms): p50 %.1f ms  p99 %.1f ms  read %d/%d\n",
        wsFrames, percentile(roundTrips, 50), percentile(roundTrips, 99), wsRead, wsFrames);
    return 0;
}
