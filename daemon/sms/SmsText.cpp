#include "sms/SmsText.h"

#include <array>

#include "core/Utf8.h"

namespace lojal {
namespace {

// GSM 03.38 default alphabet and its extension table, as Unicode code points.
constexpr std::array<char32_t, 128> kBasic = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç',  U'\n', U'Ø', U'ø', U'\r', U'Å',
    U'å', U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ',  U'Θ',  U'Ξ', 0x1B, U'Æ',  U'æ',
    U'ß', U'É', U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(',  U')', U'*', U'+',  U',',
    U'-', U'.', U'/', U'0', U'1', U'2', U'3', U'4', U'5', U'6',  U'7',  U'8', U'9', U':',  U';',
    U'<', U'=', U'>', U'?', U'¡', U'A', U'B', U'C', U'D', U'E',  U'F',  U'G', U'H', U'I',  U'J',
    U'K', U'L', U'M', U'N', U'O', U'P', U'Q', U'R', U'S', U'T',  U'U',  U'V', U'W', U'X',  U'Y',
    U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'a', U'b', U'c',  U'd',  U'e', U'f', U'g',  U'h',
    U'i', U'j', U'k', U'l', U'm', U'n', U'o', U'p', U'q', U'r',  U's',  U't', U'u', U'v',  U'w',
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à'};
constexpr std::array<char32_t, 10> kExtension = {U'^', U'{', U'}', U'\\', U'[',
                                                 U'~', U']', U'|', U'€',  U'\f'};

char32_t decode(std::string_view text, size_t pos, size_t length) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    if (length == 1) return byte(0);
    if (length == 2) return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    if (length == 3) return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
           (byte(3) & 0x3F);
}

bool contains(const auto& table, char32_t c) {
    for (char32_t entry : table)
        if (entry == c) return true;
    return false;
}

}  // namespace

const char* toString(SmsEncoding encoding) {
    return encoding == SmsEncoding::gsm7 ? "GSM-7" : "UCS-2";
}

SmsSize measureSms(std::string_view text) {
    size_t septets = 0;
    size_t utf16 = 0;
    bool gsm = true;
    for (size_t pos = 0; pos < text.size();) {
        const size_t length = utf8SequenceLength(text, pos);
        if (length == 0) {
            gsm = false;
            ++utf16;
            ++pos;
            continue;
        }
        const char32_t c = decode(text, pos, length);
        pos += length;
        utf16 += c > 0xFFFF ? 2 : 1;
        if (c != 0x1B && contains(kBasic, c))
            septets += 1;
        else if (contains(kExtension, c))
            septets += 2;
        else
            gsm = false;
    }
    SmsSize size;
    size.encoding = gsm ? SmsEncoding::gsm7 : SmsEncoding::ucs2;
    size.units = gsm ? septets : utf16;
    const size_t single = gsm ? 160 : 70;
    const size_t part = gsm ? 153 : 67;
    size.segments = size.units == 0 ? 1 : size.units <= single ? 1 : (size.units + part - 1) / part;
    return size;
}

}  // namespace lojal
