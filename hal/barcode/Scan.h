#pragma once
// One scan, decoded: symbology, check digits, GS1 AIs and what it means to the
// store (member card, member app QR, product, coupon). Pure: bytes and a clock in,
// a value out; shared by the serial scanner driver and the kiosk camera.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "barcode/Gs1.h"
#include "barcode/Symbology.h"

namespace lojal::barcode {

enum class ScanKind { memberCard, memberQr, product, coupon, unknown };
const char* toString(ScanKind kind);

struct NumberRange {
    std::string low;  // digits, same length as high
    std::string high;
};

struct ClassifierConfig {
    std::vector<NumberRange> memberCardRanges;  // e.g. 2990000000000-2999999999999
    bool memberCardCheckDigit = true;           // GS1 mod-10 on the last digit
    std::string memberQrKey;                    // empty: member QR tokens are refused
    // EAN-13 prefixes of coupons: 98 and 99 are GS1's coupon prefixes.
    std::vector<std::string> couponPrefixes{"98", "99"};
};

struct Scan {
    std::string rawHex;  // the frame as received, before AIM stripping
    std::string label;   // the data after the AIM identifier (FNC1 as GS)
    Symbology symbology;
    std::vector<Gs1Element> gs1;
    ScanKind kind = ScanKind::unknown;
    bool valid = true;
    std::string reason;    // why not valid
    std::string memberId;  // for member QR
    std::string gtin;      // 14 digits, for products
};

// Decodes one framed scan. now is Unix seconds (member token expiry).
Scan decodeScan(std::string_view frame, const ClassifierConfig& config, int64_t now);

// Parses "LOW-HIGH,LOW-HIGH" (equal-length digit strings, LOW <= HIGH).
Result<std::vector<NumberRange>> parseNumberRanges(std::string_view text);

std::string toHex(std::string_view bytes);

}  // namespace lojal::barcode
