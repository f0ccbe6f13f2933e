#pragma once
// The one place that calls ZXing-C++ to read (lojal-decode links it; lojald
// never does). ZXing 1.4.0 names its options DecodeHints; 2.x calls them
// ReaderOptions and its result Barcode: a port touches this file only.

#include <cstdint>
#include <string>

namespace lojal::camera {

struct Decoded {
    bool found = false;
    std::string format;     // ZXing's name: "QRCode", "EAN-13", ...
    std::string symbology;  // the AIM identifier ZXing reports: "]Q1", "]E0", ...
    std::string text;       // UTF-8
};

// Reads at most one symbol of `formats` (DecoderProtocol.h's bit set) from a
// checked luma frame.
Decoded decodeLuma(const uint8_t* pixels, int width, int height, uint16_t formats, bool tryHarder);

}  // namespace lojal::camera
