#pragma once
// The card-number guard (PCI DSS: a receipt must never carry a primary account
// number), pure and fuzzed. The rule, in full (also in docs/API.md):
//
// 1. Digits are Unicode decimal digits (category Nd: ASCII, fullwidth, Arabic-
//    Indic, Devanagari, mathematical, ...), each read as its value.
// 2. Separators are spaces of every kind (Zs, tab, line breaks, zero-width
//    space), dashes and hyphens (Pd, minus sign), '.', ',', '/', '_' and '·'
//    (and their fullwidth forms). Digit groups joined by 1 to 3 separators form
//    a chain; any other character ends it.
// 3. A candidate is the digits of consecutive groups of one chain, starting and
//    ending at group boundaries, 13 to 19 digits long, and grouped as cards are
//    written: one unbroken run, or fours with a shorter last group (4-4-4-4,
//    4-4-4-3, 4-4-4-4-3), or 4-6-5 / 4-6-4 (American Express, Diners Club). A
//    digit run inside a longer run is never a candidate. (A receipt id such as
//    "0042 000123 20261123", 4-6-8, is not grouped like a card.)
// 4. A candidate is a card number when it passes Luhn AND its issuer prefix and
//    length are ones a card network issues (isCardNumber's table). A 14-digit
//    candidate with a valid GS1 check digit is a GTIN-14, not a card.
// 5. A text that is exactly a UUID (8-4-4-4-12 hex) holds no candidate.
// 6. In JSON, every key and every value is checked: strings by the rule above,
//    integers as one group, numbers with a fraction or exponent by their integral
//    value. No key name and no path is exempt: the rule itself lets real data
//    through (a GTIN has 8, 12, 13 or 14 digits and no network issues 13; a
//    GTIN-14 is caught by rule 4; an E.164 phone number has at most 15 digits and
//    its country codes are no issuer prefixes of that length).

#include <Poco/Dynamic/Var.h>

#include <optional>
#include <string>
#include <string_view>

namespace lojal::cardguard {

// ASCII digits whose Luhn (mod 10) check digit is right.
bool passesLuhn(std::string_view digits);

// ASCII digits: a card number by Luhn, issuer prefix and length (rule 4).
bool isCardNumber(std::string_view digits);

// UTF-8 text holds a card number in some rendering (rules 1-5).
bool textHoldsCardNumber(std::string_view text);

// The JSON path of the first key or value that holds a card number (rule 6).
std::optional<std::string> findCardNumber(const Poco::Dynamic::Var& value,
                                          const std::string& path = "$");

}  // namespace lojal::cardguard
