#pragma once
// GS1 element strings (FNC1 transmitted as GS, 0x1D) and GS1 Digital Link URLs,
// parsed into Application Identifiers with the lengths of the GS1 General
// Specifications (section 3.2) for the AIs a store meets. Pure.

#include <string>
#include <string_view>
#include <vector>

#include "core/Result.h"

namespace lojal::barcode {

constexpr char kGroupSeparator = '\x1d';

struct Gs1Element {
    std::string ai;     // "01", "3103", ...
    std::string value;  // as encoded ("000123" for 3103 means 0.123 kg)
    std::string title;  // the GS1 data title, "GTIN", "NET WEIGHT (kg)", ...
};

// Parses an element string; a leading GS (FNC1 in first position) is allowed.
Result<std::vector<Gs1Element>> parseGs1ElementString(std::string_view data);

// True for http(s) URLs whose path carries a GS1 primary key (/01/<GTIN>).
bool looksLikeDigitalLink(std::string_view text);
// The AIs of a Digital Link URI: path pairs (/01/…/10/…/21/…) and numeric query keys.
Result<std::vector<Gs1Element>> parseDigitalLink(std::string_view uri);

}  // namespace lojal::barcode
