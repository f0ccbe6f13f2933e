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

// text with every byte that is not part of a well-formed sequence replaced by
// U+FFFD, so it can travel in JSON (the exact bytes go separately, as hex).
std::string toValidUtf8(std::string_view text);

}  // namespace lojal
