#pragma once
// SMS encoding and segment counting (3GPP TS 23.038): a text that fits the GSM 7-bit
// alphabet goes as GSM-7 (160 septets in one message, 153 per part when split),
// anything else as UCS-2 (70 / 67 UTF-16 units). Pure.

#include <string>
#include <string_view>

namespace lojal {

enum class SmsEncoding { gsm7, ucs2 };

struct SmsSize {
    SmsEncoding encoding = SmsEncoding::gsm7;
    size_t units = 0;     // septets (GSM-7, extension characters count 2) or UTF-16 units
    size_t segments = 0;  // messages the phone receives
};

// text is UTF-8. Invalid UTF-8 counts as UCS-2 replacement characters.
SmsSize measureSms(std::string_view text);
const char* toString(SmsEncoding encoding);

}  // namespace lojal
