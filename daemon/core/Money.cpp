#include "core/Money.h"

#include <cstdio>
#include <map>

namespace lojal {

std::optional<int> currencyExponent(std::string_view code) {
    static const std::map<std::string_view, int> exponents = {
        {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"EUR", 2}, {"ISK", 0}, {"USD", 2}, {"GBP", 2},
        {"PLN", 2}, {"CHF", 2}, {"CZK", 2}, {"HUF", 2}, {"JPY", 0}, {"CAD", 2}, {"AUD", 2}};
    const auto found = exponents.find(code);
    if (found == exponents.end()) return std::nullopt;
    return found->second;
}

std::optional<int> currencyNumber(std::string_view code) {
    static const std::map<std::string_view, int> numbers = {
        {"SEK", 752}, {"NOK", 578}, {"DKK", 208}, {"EUR", 978}, {"ISK", 352},
        {"USD", 840}, {"GBP", 826}, {"PLN", 985}, {"CHF", 756}, {"CZK", 203},
        {"HUF", 348}, {"JPY", 392}, {"CAD", 124}, {"AUD", 36}};
    const auto found = numbers.find(code);
    if (found == numbers.end()) return std::nullopt;
    return found->second;
}

std::optional<std::string_view> countryCurrency(std::string_view country) {
    static const std::map<std::string_view, std::string_view> currencies = {
        {"SE", "SEK"}, {"NO", "NOK"}, {"DK", "DKK"}, {"IS", "ISK"}, {"FI", "EUR"}, {"DE", "EUR"},
        {"AT", "EUR"}, {"NL", "EUR"}, {"BE", "EUR"}, {"FR", "EUR"}, {"IE", "EUR"}, {"EE", "EUR"},
        {"LV", "EUR"}, {"LT", "EUR"}, {"ES", "EUR"}, {"PT", "EUR"}, {"IT", "EUR"}, {"LU", "EUR"},
        {"GB", "GBP"}, {"PL", "PLN"}, {"CH", "CHF"}, {"CZ", "CZK"}, {"HU", "HUF"}, {"US", "USD"},
        {"JP", "JPY"}, {"CA", "CAD"}, {"AU", "AUD"}};
    const auto found = currencies.find(country);
    if (found == currencies.end()) return std::nullopt;
    return found->second;
}

std::optional<int64_t> parseDecimal(std::string_view text, int decimals) {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction =
        dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || (dot != std::string_view::npos && fraction.empty()) ||
        fraction.size() > static_cast<size_t>(decimals)) {
        return std::nullopt;
    }
    int64_t value = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    for (int i = 0; i < decimals; ++i) {
        const char c = static_cast<size_t>(i) < fraction.size() ? fraction[i] : '0';
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

std::optional<int64_t> mulDivRoundChecked(int64_t a, int64_t b, int64_t divisor) {
    const __int128 product = static_cast<__int128>(a) * b;
    const __int128 magnitude = product < 0 ? -product : product;
    const __int128 rounded = (magnitude + divisor / 2) / divisor;
    const __int128 result = product < 0 ? -rounded : rounded;
    if (result > INT64_MAX || result < INT64_MIN) return std::nullopt;
    return static_cast<int64_t>(result);
}

int64_t mulDivRound(int64_t a, int64_t b, int64_t divisor) {
    return mulDivRoundChecked(a, b, divisor).value_or(0);
}

std::string formatDecimal(int64_t scaled, int decimals) {
    const bool negative = scaled < 0;
    const unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(scaled)
                                                  : static_cast<unsigned long long>(scaled);
    unsigned long long divisor = 1;
    for (int i = 0; i < decimals; ++i) divisor *= 10;
    char text[48];
    if (decimals == 0) {
        std::snprintf(text, sizeof text, "%s%llu", negative ? "-" : "", magnitude);
    } else {
        std::snprintf(text, sizeof text, "%s%llu.%0*llu", negative ? "-" : "", magnitude / divisor,
                      decimals, magnitude % divisor);
    }
    return text;
}

}  // namespace lojal
