// barcode-image: writes a barcode as a camera would see it, as a PGM file (or
// the raw camera frame lojald takes), from ZXing's own writer and the same
// renderer the tests use (tests/support/BarcodeImages.h).
//
//   barcode-image FORMAT TEXT OUT [--module PX] [--rotate DEG] [--noise SIGMA]
//                 [--blur R] [--size WxH] [--seed N] [--frame]
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
                     "[--noise SIGMA] [--blur R] [--size WxH] [--seed N] [--frame]\n");
        return 2;
    }
    lojal::test::BarcodeRender render;
    render.format = argv[1];
    render.text = argv[2];
    bool frame = false;
    for (int i = 4; i < argc; ++i) {
        const std::string option = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : "";
        if (option == "--frame") {
            frame = true;
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
