#pragma once
// Exact decimal amounts: "54.90" -> 5490 minor units, never binary floating point.
// Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lojal {

// ISO 4217 minor-unit digits of the currencies a Nordic/European store meets;
// nothing for an unknown code.
std::optional<int> currencyExponent(std::string_view code);

// The ISO 4217 numeric code of a currency above ("SEK" -> 752), as card
// terminals take it; nothing for an unknown code.
std::optional<int> currencyNumber(std::string_view code);

// The currency a store in this country takes by default ("SE" -> "SEK", "FI" ->
// "EUR"); nothing when the table does not know the country.
std::optional<std::string_view> countryCurrency(std::string_view country);

// Parses a decimal with at most `decimals` fraction digits ("-7", "54.9", "54.90")
// into an integer scaled by 10^decimals. No exponent, no '+', no spaces.
std::optional<int64_t> parseDecimal(std::string_view text, int decimals);

// a * b / divisor, rounded half away from zero (the rounding rule for line totals
// and VAT, documented in docs/API.md).
// The product is exact (128 bits); the result must fit 64 bits, so a caller whose
// inputs are not bounded uses mulDivRoundChecked, which says when it does not.
int64_t mulDivRound(int64_t a, int64_t b, int64_t divisor);
std::optional<int64_t> mulDivRoundChecked(int64_t a, int64_t b, int64_t divisor);

std::string formatDecimal(int64_t scaled, int decimals);

}  // namespace lojal
