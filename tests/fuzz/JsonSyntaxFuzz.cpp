// libFuzzer target: the JSON syntax checker that guards every request body, and
// Poco's parser behind it, which must parse what the checker passes or refuse it
// with an exception (lojald answers 400 then), never crash.
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "api/JsonSyntax.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto error = lojal::findJsonSyntaxError(text);
    if (error) {
        if (error->offset > text.size()) __builtin_trap();
        return 0;
    }
    // lojald hands Poco only objects (Poco 1.11 cannot parse top-level scalars).
    if (text[text.find_first_not_of(" \t\r\n")] != '{') return 0;
    try {
        Poco::JSON::Parser parser;
        parser.parse(text);
    } catch (const Poco::Exception&) {
        // Found by this fuzzer: integers past 64 bits. lojald answers 400.
    }
    return 0;
}
