#pragma once
// Barcode images made at test time with ZXing's own writer, then placed in a
// grey camera-sized frame the way a phone screen appears to a kiosk camera:
// scaled to N pixels per module, rotated, softened and with sensor noise. Tests
// carry no binary fixtures; every image comes from its parameters and a seed.

#define ZX_USE_UTF8
#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lojal::test {

struct LumaImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;  // row by row, 8-bit grey
};

struct BarcodeRender {
    std::string format = "QRCode";  // ZXing's name: "QRCode", "EAN-13"...
    std::string text;
    double moduleSize = 4;  // pixels per module
    double rotationDegrees = 0;
    double noiseSigma = 0;  // Gaussian sensor noise, grey levels
    int blurRadius = 0;     // box blur, pixels
    int width = 640;
    int height = 480;
    uint32_t seed = 1;
};

inline LumaImage renderBarcode(const BarcodeRender& render) {
    const auto format = ZXing::BarcodeFormatFromString(render.format);
    const bool linear = format != ZXing::BarcodeFormat::QRCode;
    // One pixel per module, quiet zone included (4 modules, 10 for 1-D codes).
    const int quiet = linear ? 10 : 4;
    const ZXing::BitMatrix symbol =
        ZXing::MultiFormatWriter(format).setMargin(0).encode(render.text, 0, linear ? 1 : 0);
    const int modulesWide = symbol.width() + 2 * quiet;
    const int modulesHigh = linear ? modulesWide / 2 : symbol.height() + 2 * quiet;
    const auto dark = [&](double mx, double my) {
        const int x = static_cast<int>(std::floor(mx)) - quiet;
        const int y = linear ? 0 : static_cast<int>(std::floor(my)) - quiet;
        if (mx < 0 || my < 0 || mx >= modulesWide || my >= modulesHigh) return false;
        if (x < 0 || x >= symbol.width()) return false;
        if (linear) return my >= quiet && my < modulesHigh - quiet && symbol.get(x, 0);
        return y >= 0 && y < symbol.height() && symbol.get(x, y);
    };
    LumaImage image{render.width, render.height,
                    std::vector<uint8_t>(size_t(render.width) * render.height)};
    const double angle = render.rotationDegrees * M_PI / 180.0;
    const double c = std::cos(angle), s = std::sin(angle);
    const double cx = render.width / 2.0, cy = render.height / 2.0;
    std::vector<double> grey(image.pixels.size());
    for (int y = 0; y < render.height; ++y) {
        for (int x = 0; x < render.width; ++x) {
            // Back from the frame into the symbol: rotate about the centre, unscale.
            const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            const double mx = (c * dx + s * dy) / render.moduleSize + modulesWide / 2.0;
            const double my = (-s * dx + c * dy) / render.moduleSize + modulesHigh / 2.0;
            const bool inside = mx >= 0 && my >= 0 && mx < modulesWide && my < modulesHigh;
            grey[size_t(y) * render.width + x] = !inside ? 120 : dark(mx, my) ? 35 : 215;
        }
    }
    if (render.blurRadius > 0) {
        std::vector<double> blurred(grey.size());
        const int r = render.blurRadius;
        for (int y = 0; y < render.height; ++y) {
            for (int x = 0; x < render.width; ++x) {
                double sum = 0;
                int count = 0;
                for (int yy = std::max(0, y - r); yy <= std::min(render.height - 1, y + r); ++yy)
                    for (int xx = std::max(0, x - r); xx <= std::min(render.width - 1, x + r);
                         ++xx, ++count)
                        sum += grey[size_t(yy) * render.width + xx];
                blurred[size_t(y) * render.width + x] = sum / count;
            }
        }
        grey.swap(blurred);
    }
    std::mt19937 random(render.seed);
    std::normal_distribution<double> noise(0.0, render.noiseSigma > 0 ? render.noiseSigma : 1.0);
    for (size_t i = 0; i < grey.size(); ++i) {
        const double value = grey[i] + (render.noiseSigma > 0 ? noise(random) : 0.0);
        image.pixels[i] = static_cast<uint8_t>(std::clamp(value, 0.0, 255.0));
    }
    return image;
}

}  // namespace lojal::test
