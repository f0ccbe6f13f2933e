#pragma once
// A strict RFC 8259 syntax check that says *where* a body is malformed (Poco's
// parser does not) and bounds nesting depth before Poco's recursive parser sees it.
// Pure: a string in, a position out.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lojal {

struct JsonSyntaxError {
    size_t offset = 0;  // byte offset of the first offending byte
    int line = 1;
    int column = 1;  // in bytes, 1-based
    std::string message;
    std::string describe() const;  // "line 1, column 7: expected ':' after an object key"
};

constexpr int kMaxJsonDepth = 32;

std::optional<JsonSyntaxError> findJsonSyntaxError(std::string_view text,
                                                   int maxDepth = kMaxJsonDepth);

}  // namespace lojal
