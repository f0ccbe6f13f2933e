#include "camera/ZxingAdapter.h"

#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>

#include "camera/DecoderProtocol.h"

namespace lojal::camera {
namespace {

ZXing::BarcodeFormats zxingFormats(uint16_t formats) {
    ZXing::BarcodeFormats wanted;
    if (formats & kQrCode) wanted |= ZXing::BarcodeFormat::QRCode;
    if (formats & kEan13) wanted |= ZXing::BarcodeFormat::EAN13;
    if (formats & kEan8) wanted |= ZXing::BarcodeFormat::EAN8;
    if (formats & kUpcA) wanted |= ZXing::BarcodeFormat::UPCA;
    if (formats & kUpcE) wanted |= ZXing::BarcodeFormat::UPCE;
    return wanted;
}

}  // namespace

Decoded decodeLuma(const uint8_t* pixels, int width, int height, uint16_t formats, bool tryHarder) {
    ZXing::DecodeHints hints;
    hints.setFormats(zxingFormats(formats))
        .setTryHarder(tryHarder)
        .setTryRotate(tryHarder)
        .setTryDownscale(true)
        .setMaxNumberOfSymbols(1);
    const ZXing::ImageView image(pixels, width, height, ZXing::ImageFormat::Lum);
    const ZXing::Result result = ZXing::ReadBarcode(image, hints);
    Decoded decoded;
    if (!result.isValid()) return decoded;
    decoded.found = true;
    decoded.format = ZXing::ToString(result.format());
    decoded.symbology = result.symbologyIdentifier();
    decoded.text = result.text();
    return decoded;
}

}  // namespace lojal::camera
