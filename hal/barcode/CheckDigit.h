#pragma once
// GS1 check digits (mod 10, weights 3-1 from the right) and UPC-E expansion.
// Pure functions of strings.

#include <optional>
#include <string>
#include <string_view>

namespace lojal::barcode {

bool allDigits(std::string_view text);
// The check digit that completes body (all digits), or nothing for non-digits.
std::optional<char> gs1CheckDigit(std::string_view body);
// True when the last digit of number is its GS1 check digit (GTIN-8/12/13/14, SSCC, GLN).
bool hasValidGs1CheckDigit(std::string_view number);
// UPC-E (8 digits: number system 0/1, 6 digits, check) to UPC-A (12 digits).
std::optional<std::string> expandUpcE(std::string_view upcE);

}  // namespace lojal::barcode
