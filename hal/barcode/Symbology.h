#pragma once
// AIM symbology identifiers (ISO/IEC 15424: "]" + code character + modifier) and
// their UnifiedPOS ScanDataType codes, so POS developers who know OPOS/JavaPOS
// recognise what they get.

#include <optional>
#include <string>
#include <string_view>

namespace lojal::barcode {

// UnifiedPOS ScanDataType values (UPOS 1.14 tables).
namespace upos {
constexpr int unknown = 0, upcA = 101, upcE = 102, ean8 = 103, ean13 = 104, itf = 106,
              codabar = 107, code39 = 108, code93 = 109, code128 = 110, upcAS = 111, upcES = 112,
              ean8S = 118, ean13S = 119, ean128 = 120, gs1DataBar = 131, gs1DataBarE = 132,
              itfCk = 133, pdf417 = 201, maxicode = 202, dataMatrix = 203, qrCode = 204,
              microQr = 205, aztec = 206, microPdf417 = 207, gs1DataMatrix = 208, gs1QrCode = 209,
              other = 501;
}

struct Symbology {
    std::string aim;   // "]E0", or "" when the scanner sent no identifier
    std::string name;  // "EAN-13", "GS1 DataMatrix", ...
    int uposType = upos::unknown;
    bool gs1 = false;  // the data is a GS1 element string (FNC1 in first position)
};

struct AimSplit {
    std::string aim;        // "" when absent
    std::string_view data;  // what follows the identifier
};

// Splits a leading AIM identifier off a label (only "]" + letter + modifier).
AimSplit splitAim(std::string_view label);

// The symbology an identifier (plus the data, for lengths) stands for.
Symbology identifySymbology(const std::string& aim, std::string_view data);

}  // namespace lojal::barcode
