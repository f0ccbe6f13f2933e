// libFuzzer target: the receipt validator (run under UBSan in `make fuzz`) on
// typed JSON. Mode 0: the input as a whole JSON body, as the API would take it.
// Mode 1: the example receipt with the first line's quantity, unit price and
// total replaced by numbers the input picks at the int64 / uint64 / double edges,
// so every integer path meets its extremes. The validator must never trap,
// overflow or throw.
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "ExampleReceipt.h"
#include "api/JsonSyntax.h"
#include "receipts/ReceiptValidation.h"

namespace {

const char* const kEdges[] = {"0",
                              "1",
                              "-1",
                              "true",
                              "false",
                              "null",
                              "1000000",
                              "1000001",
                              "-1000000",
                              "9223372036854775807",
                              "9223372036854775808",
                              "-9223372036854775808",
                              "-9223372036854775809",
                              "18446744073709551615",
                              "18446744073709551616",
                              "2305843009213694000",
                              "1e308",
                              "-1e308",
                              "1e-308",
                              "0.5",
                              "\"999999999999.99\"",
                              "\"-999999999999.99\"",
                              "\"1000000.000\"",
                              "\"0.001\"",
                              "\"7.00\"",
                              "\"\""};
constexpr size_t kEdgeCount = sizeof kEdges / sizeof kEdges[0];

void validate(const std::string& json) {
    if (lojal::findJsonSyntaxError(json)) return;
    Poco::JSON::Object::Ptr object;
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(json);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return;
        object = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return;  // the API answers 400 invalid_json here
    }
    lojal::ReceiptSummary summary;
    (void)lojal::validateReceipt(*object, summary);  // must not throw
}

void replaceFirst(std::string& text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    if (data[0] % 2 == 0) {
        validate(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
        return 0;
    }
    if (size < 4) return 0;
    std::string json = lojal::test::kExampleReceipt;
    replaceFirst(json, "\"quantity\":2",
                 std::string("\"quantity\":") + kEdges[data[1] % kEdgeCount]);
    replaceFirst(json, "\"unit_price\":\"54.90\"",
                 std::string("\"unit_price\":") + kEdges[data[2] % kEdgeCount]);
    replaceFirst(json, "\"total\":\"109.80\"",
                 std::string("\"total\":") + kEdges[data[3] % kEdgeCount]);
    validate(json);
    return 0;
}
