#pragma once
// GS1 element strings (FNC1 transmitted as GS, 0x1D) and GS1 Digital Link URIs,
// parsed into Application Identifiers and checked against the GS1 General
// Specifications: every AI GS1 defines (barcode/Gs1Ais.inc, from section 3.2)
// with its character set, lengths, check digits (7.9.1), dates (day 00 where
// the AI allows it), times and other component rules; AIs GS1 does not define
// are refused; predefined-length AIs need no FNC1 (Figure 5.10.1-2); the
// invalid pairs and mandatory associations of 4.14; and Digital Link primary
// keys with their qualifiers in order. Pure.

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

// Parses an element string; a leading GS (FNC1 in first position) and a
// trailing one are allowed.
Result<std::vector<Gs1Element>> parseGs1ElementString(std::string_view data);

// True for http(s) URIs whose path carries a GS1 Digital Link primary key
// (/01/<GTIN>, /8018/<GSRN>, /414/<GLN>, ...) followed by a value.
bool looksLikeDigitalLink(std::string_view text);
// The AIs of a Digital Link URI: the primary key, its qualifiers (path, in the
// order GS1 allows) and AI query parameters (other parameters and the fragment
// are ignored); values percent-decoded.
Result<std::vector<Gs1Element>> parseDigitalLink(std::string_view uri);

// The number of AIs the table defines (a range such as 3100-3105 counts six).
size_t gs1AiCount();

}  // namespace lojal::barcode
