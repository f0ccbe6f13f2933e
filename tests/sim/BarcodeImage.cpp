// barcode-image: writes a barcode as a camera would see it, as a PGM file (or
// the raw camera frame lojald takes, or a Y4M video frame for Chromium's fake
// camera), from ZXing's own writer and the same renderer the tests use
// (tests/support/BarcodeImages.h).
//
//   barcode-image FORMAT TEXT OUT [--module PX] [--rotate DEG] [--noise SIGMA]
//                 [--blur R] [--size WxH] [--seed N] [--frame | --y4m]
//   e.g. barcode-image QRCode 'LJM1.M1.1900000000.xyz' qr.pgm --module 4 --rotate 30
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "BarcodeImages.h"
#include "camera/CameraFrame.h"

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr,
                     "usage: barcode-image FORMAT TEXT OUT [--module PX] [--rotate DEG] "
                     "[--noise SIGMA] [--blur R] [--size WxH] [--seed N] [--frame | --y4m]\n");
        return 2;
    }
    lojal::test::BarcodeRender render;
    render.format = argv[1];
    render.text = argv[2];
    bool frame = false;
    bool y4m = false;
    for (int i = 4; i < argc; ++i) {
        const std::string option = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : "";
        if (option == "--frame" || option == "--y4m") {
            (option == "--frame" ? frame : y4m) = true;
            continue;
        }
        ++i;
        if (option == "--module")
            render.moduleSize = std::atof(value);
        else if (option == "--rotate")
            render.rotationDegrees = std::atof(value);
        else if (option == "--noise")
            render.noiseSigma = std::atof(value);
        else if (option == "--blur")
            render.blurRadius = std::atoi(value);
        else if (option == "--seed")
            render.seed = static_cast<uint32_t>(std::atoi(value));
        else if (option == "--size" &&
                 std::sscanf(value, "%dx%d", &render.width, &render.height) == 2) {
        } else {
            std::fprintf(stderr, "barcode-image: unknown option %s\n", option.c_str());
            return 2;
        }
    }
    try {
        const auto image = lojal::test::renderBarcode(render);
        std::ofstream out(argv[3], std::ios::binary);
        if (frame) {
            out << lojal::camera::encodeFrame({image.width, image.height, 1}, image.pixels.data());
        } else if (y4m) {
            // One YUV 4:2:0 frame (grey: chroma at 128), what Chromium's fake
            // camera plays in a loop (--use-file-for-fake-video-capture).
            out << "YUV4MPEG2 W" << image.width << " H" << image.height
                << " F5:1 Ip A1:1 C420jpeg\nFRAME\n";
            out.write(reinterpret_cast<const char*>(image.pixels.data()),
                      static_cast<std::streamsize>(image.pixels.size()));
            const std::string chroma(size_t((image.width + 1) / 2) * ((image.height + 1) / 2) * 2,
                                     static_cast<char>(128));
            out << chroma;
        } else {
            out << "P5\n" << image.width << " " << image.height << "\n255\n";
            out.write(reinterpret_cast<const char*>(image.pixels.data()),
                      static_cast<std::streamsize>(image.pixels.size()));
        }
        return out ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "barcode-image: %s\n", e.what());
        return 1;
    }
}
