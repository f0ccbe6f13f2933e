#include "barcode/CheckDigit.h"

#include <algorithm>

namespace lojal::barcode {

bool allDigits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<char> gs1CheckDigit(std::string_view body) {
    if (!allDigits(body)) return std::nullopt;
    int sum = 0;
    int weight = 3;  // the digit next to the check digit weighs 3
    for (auto it = body.rbegin(); it != body.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = 4 - weight;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool hasValidGs1CheckDigit(std::string_view number) {
    if (number.size() < 2) return false;
    const auto expected = gs1CheckDigit(number.substr(0, number.size() - 1));
    return expected && *expected == number.back();
}

std::optional<std::string> expandUpcE(std::string_view e) {
    if (e.size() != 8 || !allDigits(e) || (e[0] != '0' && e[0] != '1')) return std::nullopt;
    const std::string_view d = e.substr(1, 6);
    std::string manufacturer;
    std::string product;
    switch (d[5]) {
        case '0':
        case '1':
        case '2':
            manufacturer = std::string(d.substr(0, 2)) + d[5] + "00";
            product = "00" + std::string(d.substr(2, 3));
            break;
        case '3':
            manufacturer = std::string(d.substr(0, 3)) + "00";
            product = "000" + std::string(d.substr(3, 2));
            break;
        case '4':
            manufacturer = std::string(d.substr(0, 4)) + "0";
            product = "0000" + std::string(1, d[4]);
            break;
        default:
            manufacturer = std::string(d.substr(0, 5));
            product = "0000" + std::string(1, d[5]);
            break;
    }
    return std::string(1, e[0]) + manufacturer + product + e[7];
}

}  // namespace lojal::barcode
