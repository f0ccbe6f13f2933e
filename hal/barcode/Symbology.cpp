#include "barcode/Symbology.h"

namespace lojal::barcode {

AimSplit splitAim(std::string_view label) {
    const auto isAlpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    const auto isModifier = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    };
    if (label.size() >= 3 && label[0] == ']' && isAlpha(label[1]) && isModifier(label[2])) {
        return {std::string(label.substr(0, 3)), label.substr(3)};
    }
    return {"", label};
}

namespace {

bool digitsOnly(std::string_view data) {
    if (data.empty()) return false;
    for (char c : data)
        if (c < '0' || c > '9') return false;
    return true;
}

// Without an identifier only the shape of the data tells: all-digit lengths of
// the EAN/UPC family are taken as such; anything else stays unknown.
Symbology guessWithoutAim(std::string_view data) {
    if (digitsOnly(data)) {
        switch (data.size()) {
            case 8: return {"", "EAN-8", upos::ean8, false};
            case 12: return {"", "UPC-A", upos::upcA, false};
            case 13: return {"", "EAN-13", upos::ean13, false};
            case 14: return {"", "ITF-14", upos::itf, false};
            default: break;
        }
    }
    if (!data.empty() && data.front() == '\x1d') return {"", "GS1", upos::other, true};
    return {"", "unknown", upos::unknown, false};
}

}  // namespace

Symbology identifySymbology(const std::string& aim, std::string_view data) {
    if (aim.empty()) return guessWithoutAim(data);
    const char code = aim[1];
    const char modifier = aim[2];
    Symbology s{aim, "unknown", upos::unknown, false};
    switch (code) {
        case 'E':
            if (modifier == '0') {
                // ]E0 carries EAN-13 (13 digits), UPC-A (12, where a scanner strips the
                // leading 0) and UPC-E (8).
                if (data.size() == 8)
                    s = {aim, "UPC-E", upos::upcE, false};
                else if (data.size() == 12)
                    s = {aim, "UPC-A", upos::upcA, false};
                else
                    s = {aim, "EAN-13", upos::ean13, false};
            } else if (modifier == '4') {
                s = {aim, "EAN-8", upos::ean8, false};
            } else if (modifier == '1' || modifier == '2') {
                s = {aim, "EAN/UPC add-on", upos::ean13S, false};
            } else if (modifier == '3') {
                s = {aim, "EAN-13 with add-on", upos::ean13S, false};
            }
            break;
        case 'C':
            s = modifier == '1' ? Symbology{aim, "GS1-128", upos::ean128, true}
                                : Symbology{aim, "Code 128", upos::code128, false};
            break;
        case 'd':
            s = modifier == '2' ? Symbology{aim, "GS1 DataMatrix", upos::gs1DataMatrix, true}
                                : Symbology{aim, "Data Matrix", upos::dataMatrix, false};
            break;
        case 'Q':
            s = modifier == '3' ? Symbology{aim, "GS1 QR Code", upos::gs1QrCode, true}
                                : Symbology{aim, "QR Code", upos::qrCode, false};
            break;
        case 'e': {
            // One identifier for all DataBar: omnidirectional is exactly (01) + 14 digits.
            const bool omni = data.size() == 16 && data.substr(0, 2) == "01";
            s = {aim, omni ? "GS1 DataBar" : "GS1 DataBar Expanded",
                 omni ? upos::gs1DataBar : upos::gs1DataBarE, true};
            break;
        }
        case 'I':
            s = modifier == '1' || modifier == '3'
                    ? Symbology{aim, "ITF (check digit)", upos::itfCk, false}
                    : Symbology{aim, "ITF", upos::itf, false};
            break;
        case 'A': s = {aim, "Code 39", upos::code39, false}; break;
        case 'G': s = {aim, "Code 93", upos::code93, false}; break;
        case 'F': s = {aim, "Codabar", upos::codabar, false}; break;
        case 'L': s = {aim, "PDF417", upos::pdf417, false}; break;
        case 'z': s = {aim, "Aztec", upos::aztec, modifier == '1' || modifier == '4'}; break;
        case 'U': s = {aim, "MaxiCode", upos::maxicode, false}; break;
        default: s = {aim, "other", upos::other, false}; break;
    }
    return s;
}

}  // namespace lojal::barcode
