#include "barcode/Scan.h"

#include <algorithm>

#include "barcode/CheckDigit.h"
#include "barcode/MemberToken.h"

namespace lojal::barcode {

const char* toString(ScanKind kind) {
    switch (kind) {
        case ScanKind::memberCard: return "member_card";
        case ScanKind::memberQr: return "member_qr";
        case ScanKind::product: return "product";
        case ScanKind::coupon: return "coupon";
        case ScanKind::unknown: return "unknown";
    }
    return "unknown";
}

std::string toHex(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0x0f];
    }
    return out;
}

Result<std::vector<NumberRange>> parseNumberRanges(std::string_view text) {
    std::vector<NumberRange> ranges;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = std::min(text.find(',', pos), text.size());
        std::string item(text.substr(pos, end - pos));
        item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
        pos = end + 1;
        const size_t dash = item.find('-');
        if (dash == std::string::npos)
            return Error{ErrorCode::arg, "expected LOW-HIGH in '" + item + "'"};
        NumberRange range{item.substr(0, dash), item.substr(dash + 1)};
        if (!allDigits(range.low) || range.low.size() != range.high.size() ||
            !allDigits(range.high) || range.low > range.high) {
            return Error{
                ErrorCode::arg,
                "'" + item + "': LOW and HIGH must be digits of equal length, LOW <= HIGH"};
        }
        ranges.push_back(range);
    }
    return ranges;
}

namespace {

bool inRange(const std::string& number, const NumberRange& range) {
    return number.size() == range.low.size() && number >= range.low && number <= range.high;
}

// The GTIN-carrying linear codes (ITF only in its 14-digit ITF-14 form).
bool carriesGtin(const Symbology& s, std::string_view label) {
    const bool itf14 = (s.uposType == upos::itf || s.uposType == upos::itfCk) && label.size() == 14;
    const bool withAddOn = s.aim == "]E3" && (label.size() == 15 || label.size() == 18);
    return s.uposType == upos::ean13 || s.uposType == upos::ean8 || s.uposType == upos::upcA ||
           s.uposType == upos::upcE || itf14 || withAddOn;
}

// Noise from a confused scanner or a wrong baud rate shows up as control bytes.
bool hasControlBytes(std::string_view label) {
    return std::any_of(label.begin(), label.end(), [](unsigned char c) {
        return (c < 0x20 && c != kGroupSeparator) || c == 0x7f;
    });
}

std::string toGtin14(const std::string& digits) {
    return std::string(14 - std::min<size_t>(14, digits.size()), '0') + digits;
}

void markInvalid(Scan& scan, const std::string& reason) {
    scan.valid = false;
    scan.reason = reason;
}

void checkEanUpc(Scan& scan) {
    // ]E3: EAN-13 followed by its 2- or 5-digit add-on (a periodical's issue number).
    const std::string label = scan.symbology.aim == "]E3" ? scan.label.substr(0, 13) : scan.label;
    if (!allDigits(label)) return markInvalid(scan, scan.symbology.name + " must be all digits");
    std::string full = label;
    if (scan.symbology.uposType == upos::upcE) {
        const auto expanded = expandUpcE(label);
        if (!expanded) return markInvalid(scan, "UPC-E must start with 0 or 1");
        full = *expanded;
    }
    static const size_t lengths[] = {8, 12, 13, 14};
    if (std::find(std::begin(lengths), std::end(lengths), full.size()) == std::end(lengths)) {
        return markInvalid(scan, scan.symbology.name + " has a wrong length (" +
                                     std::to_string(label.size()) + ")");
    }
    if (!hasValidGs1CheckDigit(full)) return markInvalid(scan, "wrong check digit");
    scan.gtin = toGtin14(full);
}

void classify(Scan& scan, const ClassifierConfig& config, int64_t now) {
    const std::string& label = scan.label;
    if (label.substr(0, kMemberTokenPrefix.size()) == kMemberTokenPrefix) {
        scan.kind = ScanKind::memberQr;
        auto token = verifyMemberToken(label, config.memberQrKey, now);
        if (!token) return markInvalid(scan, token.error().message);
        scan.memberId = token->memberId;
        return;
    }
    for (const NumberRange& range : config.memberCardRanges) {
        if (inRange(label, range)) {
            scan.kind = ScanKind::memberCard;
            scan.gtin.clear();  // a member number is no product
            scan.valid = true;
            scan.reason.clear();
            if (config.memberCardCheckDigit && !hasValidGs1CheckDigit(label)) {
                markInvalid(scan, "wrong check digit");
            }
            return;
        }
    }
    for (const Gs1Element& element : scan.gs1) {
        // GSRN - RECIPIENT: GS1's key for the recipient of a service, such as a
        // loyalty member (GenSpecs 2.5). The GSRN itself is the member's id.
        if (element.ai == "8018" && scan.valid) {
            scan.kind = ScanKind::memberCard;
            scan.memberId = element.value;
            return;
        }
    }
    for (const Gs1Element& element : scan.gs1) {
        // Coupons: the Global Coupon Number (255, with 8111 loyalty points or
        // 390n/394n offers) and the North American coupon codes 8110 and 8112.
        if (element.ai == "255" || element.ai == "8110" || element.ai == "8112") {
            scan.kind = ScanKind::coupon;
            return;
        }
    }
    if (!scan.gtin.empty()) {
        const bool couponNumber =
            scan.symbology.uposType == upos::ean13 &&
            std::any_of(config.couponPrefixes.begin(), config.couponPrefixes.end(),
                        [&](const std::string& prefix) { return label.rfind(prefix, 0) == 0; });
        scan.kind = couponNumber ? ScanKind::coupon : ScanKind::product;
        return;
    }
    for (const Gs1Element& element : scan.gs1) {
        if (element.ai == "01") {
            scan.gtin = element.value;
            scan.kind = ScanKind::product;
            return;
        }
    }
    if (carriesGtin(scan.symbology, label))
        scan.kind = ScanKind::product;  // with its invalid reason
}

}  // namespace

Scan decodeScan(std::string_view frame, const ClassifierConfig& config, int64_t now) {
    Scan scan;
    scan.rawHex = toHex(frame);
    const AimSplit split = splitAim(frame);
    scan.label = std::string(split.data);
    scan.symbology = identifySymbology(split.aim, split.data);
    if (scan.label.empty()) {
        markInvalid(scan, "empty scan");
        return scan;
    }
    if (hasControlBytes(scan.label)) {
        markInvalid(scan, "control bytes in the data (noise, or a wrong serial setting?)");
        return scan;
    }
    if (carriesGtin(scan.symbology, scan.label)) checkEanUpc(scan);
    if (scan.symbology.gs1 || scan.label.front() == kGroupSeparator) {
        auto elements = parseGs1ElementString(scan.label);
        if (elements)
            scan.gs1 = *elements;
        else
            markInvalid(scan, elements.error().message);
    } else if (looksLikeDigitalLink(scan.label)) {
        auto elements = parseDigitalLink(scan.label);
        if (elements)
            scan.gs1 = *elements;
        else
            markInvalid(scan, elements.error().message);
    }
    classify(scan, config, now);
    return scan;
}

}  // namespace lojal::barcode
