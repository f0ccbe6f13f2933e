#pragma once
// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing past
// U+10FFFF), shared by the JSON checker and by the event encoding of scanned
// labels, which can hold any byte a scanner sends.

#include <cstddef>
#include <string>
#include <string_view>

namespace lojal {

// The length of the well-formed sequence starting at text[pos], or 0 if none.
size_t utf8SequenceLength(std::string_view text, size_t pos);

bool isValidUtf8(std::string_view text);

// Scanned text as UTF-8: kept when it already is; otherwise read as ISO 8859-1,
// the default character set of QR Code, Data Matrix, PDF417 and Code 128, so
// "V\xE4lkommen" from a QR code becomes "Välkommen". Any byte sequence maps to
// valid UTF-8, so a label can always travel in JSON.
std::string scannedTextToUtf8(std::string_view bytes);

void appendUtf8(std::string& out, char32_t code);

// Text from a device that speaks code page 437 (OEM-US; the default character
// set of ZVT terminals, PA00P015 15.2) as UTF-8 for events: it ends at the
// first NUL, as a C string in a fixed-size field does, and control characters
// are dropped, so nothing a terminal sends can break a line of JSON or a log.
std::string cp437TextToUtf8(std::string_view bytes);

}  // namespace lojal
