#include "receipts/CardNumberGuard.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "barcode/CheckDigit.h"
#include "core/Utf8.h"

namespace lojal::cardguard {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The zero of every block of ten Unicode decimal digits (category Nd), from
// Python's unicodedata (Unicode 14); each block holds 0-9 in order.
constexpr char32_t kDigitZeros[] = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,
    0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,
    0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
    0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
    0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0};

int digitValue(char32_t c) {
    // The table is sorted: the block is the last zero at or below c.
    const auto* end = std::end(kDigitZeros);
    const auto* above = std::upper_bound(std::begin(kDigitZeros), end, c);
    if (above == std::begin(kDigitZeros)) return -1;
    const char32_t zero = *(above - 1);
    return c - zero < 10 ? static_cast<int>(c - zero) : -1;
}

bool isSeparator(char32_t c) {
    switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
        case '\f':
        case '\v':
        case '-':
        case '.':
        case ',':
        case '/':
        case '_':
        case 0xA0:
        case 0xB7:
        case 0x1680:
        case 0x180E:
        case 0x202F:
        case 0x205F:
        case 0x2212:
        case 0x3000:
        case 0xFE58:
        case 0xFE63:
        case 0xFF0C:
        case 0xFF0D:
        case 0xFF0E:
        case 0xFF0F:
        case 0xFF3F: return true;
        default:
            // U+2000-U+200B spaces (zero-width included), U+2010-U+2015 hyphens and dashes.
            return (c >= 0x2000 && c <= 0x200B) || (c >= 0x2010 && c <= 0x2015);
    }
}

// Decodes one UTF-8 sequence at text[pos]; an invalid byte is returned as
// U+FFFD (neither digit nor separator) and consumes one byte.
char32_t nextCodePoint(std::string_view text, size_t& pos) {
    const size_t length = utf8SequenceLength(text, pos);
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    char32_t c = 0xFFFD;
    switch (length) {
        case 1: c = byte(0); break;
        case 2: c = (byte(0) & 0x1F) << 6 | (byte(1) & 0x3F); break;
        case 3: c = (byte(0) & 0x0F) << 12 | (byte(1) & 0x3F) << 6 | (byte(2) & 0x3F); break;
        case 4:
            c = (byte(0) & 0x07) << 18 | (byte(1) & 0x3F) << 12 | (byte(2) & 0x3F) << 6 |
                (byte(3) & 0x3F);
            break;
        default: break;
    }
    pos += length == 0 ? 1 : length;
    return c;
}

int prefix(std::string_view digits, size_t count) {
    int value = 0;
    for (size_t i = 0; i < count && i < digits.size(); ++i) value = value * 10 + (digits[i] - '0');
    return value;
}

bool isUuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (size_t i = 0; i < 36; ++i) {
        const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen != (text[i] == '-')) return false;
        if (!hyphen && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
    }
    return true;
}

// Groups first..last are grouped as card numbers are printed and written:
// fours, the last one shorter or not (4-4-4-4, 4-4-4-3, 4-4-4-4-3), or the
// 4-6-5 of American Express and the 4-6-4 of Diners Club.
bool cardGrouping(const std::vector<std::string>& groups, size_t first, size_t last) {
    if (first == last) return true;  // one unbroken run
    std::vector<size_t> sizes;
    for (size_t i = first; i <= last; ++i) sizes.push_back(groups[i].size());
    if (sizes == std::vector<size_t>{4, 6, 5} || sizes == std::vector<size_t>{4, 6, 4}) return true;
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        if (sizes[i] != 4) return false;
    }
    return sizes.back() >= 1 && sizes.back() <= 4;
}

// Digit groups of one chain; checks every group-aligned window of 13-19 digits
// that is grouped as a card would be.
bool chainHoldsCard(const std::vector<std::string>& groups) {
    for (size_t first = 0; first < groups.size(); ++first) {
        std::string candidate;
        for (size_t last = first; last < groups.size(); ++last) {
            candidate += groups[last];
            if (candidate.size() > 19) break;
            if (candidate.size() >= 13 && cardGrouping(groups, first, last) &&
                isCardNumber(candidate))
                return true;
        }
    }
    return false;
}

bool numberHoldsCard(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(bool)) return false;
    if (value.isInteger()) {
        std::string text = value.convert<std::string>();
        if (!text.empty() && text[0] == '-') text.erase(0, 1);
        return text.size() >= 13 && text.size() <= 19 && isCardNumber(text);
    }
    if (value.isNumeric()) {  // a float: its integral value, as a card would have been typed
        const double number = std::fabs(value.convert<double>());
        if (!std::isfinite(number) || number < 1e12 || number >= 1e19) return false;
        char text[32];
        std::snprintf(text, sizeof text, "%.0f", std::floor(number));
        return isCardNumber(text);
    }
    return false;
}

}  // namespace

bool passesLuhn(std::string_view digits) {
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

bool isCardNumber(std::string_view digits) {
    const size_t n = digits.size();
    if (n < 13 || n > 19 || !passesLuhn(digits)) return false;
    const int p1 = prefix(digits, 1), p2 = prefix(digits, 2), p3 = prefix(digits, 3),
              p4 = prefix(digits, 4), p6 = prefix(digits, 6);
    const bool long16to19 = n >= 16;
    // A 14-digit GTIN with a valid check digit is a product, whatever Luhn says.
    if (n == 14 && barcode::hasValidGs1CheckDigit(std::string(digits))) return false;
    if (p1 == 4) return n == 16 || n == 19;                                     // Visa
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;   // Mastercard
    if (p2 == 34 || p2 == 37) return n == 15;                                   // American Express
    if (p2 == 36 || (p3 >= 300 && p3 <= 305)) return n == 14 || long16to19;     // Diners Club
    if (p2 == 38 || p2 == 39) return long16to19;                                // Diners Club
    if (p4 >= 3528 && p4 <= 3589) return long16to19;                            // JCB
    if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65) return long16to19;  // Discover
    if (p6 >= 622126 && p6 <= 622925) return long16to19;  // Discover / UnionPay
    if (p2 == 62 || p2 == 81) return long16to19;          // UnionPay
    // Maestro (50, 56-58, 63, 67), Dankort (5019, under 50).
    if (p2 == 50 || (p2 >= 56 && p2 <= 58) || p2 == 63 || p2 == 67) return long16to19;
    return false;
}

bool textHoldsCardNumber(std::string_view text) {
    if (isUuid(text)) return false;
    std::vector<std::string> groups;
    std::string group;
    int separators = 0;   // since the last digit
    bool broken = false;  // a character that ends the chain came since the last digit
    const auto endChain = [&]() {
        if (!group.empty()) groups.push_back(group);
        group.clear();
        const bool found = chainHoldsCard(groups);
        groups.clear();
        return found;
    };
    size_t pos = 0;
    while (pos < text.size()) {
        const char32_t c = nextCodePoint(text, pos);
        const int digit = digitValue(c);
        if (digit >= 0) {
            group += static_cast<char>('0' + digit);
            continue;
        }
        if (!group.empty()) {
            groups.push_back(group);
            group.clear();
            separators = 0;
            broken = false;
        }
        if (isSeparator(c)) {
            ++separators;
        } else {
            broken = true;
        }
        if ((broken || separators > 3) && endChain()) return true;
        if (broken || separators > 3) {
            separators = 0;
            broken = false;
        }
    }
    return endChain();
}

std::optional<std::string> findCardNumber(const Poco::Dynamic::Var& value,
                                          const std::string& path) {
    if (value.type() == typeid(Object::Ptr)) {
        const auto object = value.extract<Object::Ptr>();
        for (const auto& [key, child] : *object) {
            const std::string childPath = path + "." + key;
            if (textHoldsCardNumber(key)) return childPath;  // a card as a key
            if (auto found = findCardNumber(child, childPath)) return found;
        }
        return std::nullopt;
    }
    if (value.type() == typeid(Array::Ptr)) {
        const auto items = value.extract<Array::Ptr>();
        for (size_t i = 0; i < items->size(); ++i) {
            const std::string childPath = path + "[" + std::to_string(i) + "]";
            if (auto found = findCardNumber(items->get(static_cast<unsigned>(i)), childPath))
                return found;
        }
        return std::nullopt;
    }
    if (value.isString()) {
        if (textHoldsCardNumber(value.extract<std::string>())) return path;
        return std::nullopt;
    }
    if (value.isNumeric() && numberHoldsCard(value)) return path;
    return std::nullopt;
}

}  // namespace lojal::cardguard
