#define BOOST_TEST_MODULE json_syntax
#include <boost/test/unit_test.hpp>

#include "api/JsonSyntax.h"

using lojal::findJsonSyntaxError;

BOOST_AUTO_TEST_CASE(valid_documents_pass) {
    const char* valid[] = {"{}",
                           "[]",
                           "0",
                           "-0.5e+10",
                           "\"x\"",
                           "true",
                           "null",
                           " {\"a\": [1, 2, {\"b\": null}], \"c\": \"\\u00e5\\n\"} ",
                           "{\"name\":\"Åsa Öberg\"}",
                           "[\"\xF0\x9F\x9B\x92\"]"};
    for (const char* text : valid) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(!findJsonSyntaxError(text).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(errors_carry_line_column_and_offset) {
    const auto error = findJsonSyntaxError("{\n  \"a\": 1,\n  \"b\" 2\n}");
    BOOST_REQUIRE(error.has_value());
    BOOST_TEST(error->line == 3);
    BOOST_TEST(error->column == 7);
    BOOST_TEST(error->offset == 18u);
    BOOST_TEST(error->describe() == "line 3, column 7: expected ':' after an object key");
}

BOOST_AUTO_TEST_CASE(malformed_documents_are_located) {
    struct Case {
        std::string text;
        size_t offset;
        const char* message;
    };
    const Case cases[] = {
        {"", 0, "empty body: expected a JSON value"},
        {"   ", 3, "empty body: expected a JSON value"},
        {"{\"a\":1,", 7, "expected a string key"},
        {"[1,2,]", 5, "expected a value"},
        {"[1 2]", 3, "expected ',' or ']' in an array"},
        {"{\"a\":1 \"b\":2}", 7, "expected ',' or '}' in an object"},
        {"{\"a\":tru}", 5, "invalid literal"},
        {"01", 1, "unexpected text after the JSON value"},
        {"1.", 2, "expected a digit"},
        {"-", 1, "expected a digit"},
        {"{\"a\":\"x", 7, "unterminated string"},
        {"\"a\x01\"", 2, "control character in a string (escape it)"},
        {"\"\\x\"", 2, "invalid escape in a string"},
        {"\"\\u12\"", 2, "\\u needs four hex digits"},
        {"\"\xC3\"", 1, "invalid UTF-8"},
        {"\"\xC0\xAF\"", 1, "invalid UTF-8"},
        {"\"\xED\xA0\x80\"", 1, "invalid UTF-8"},
        {"{} {}", 3, "unexpected text after the JSON value"},
        {std::string("{\"a\":1}\0", 8), 7, "unexpected text after the JSON value"},
        {"{'a':1}", 1, "expected a string key"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            const auto error = findJsonSyntaxError(c.text);
            BOOST_REQUIRE(error.has_value());
            BOOST_TEST(error->offset == c.offset);
            BOOST_TEST(error->message == c.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(depth_is_bounded) {
    const std::string ok = std::string(32, '[') + std::string(32, ']');
    BOOST_TEST(!findJsonSyntaxError(ok).has_value());
    const std::string deep = std::string(33, '[') + std::string(33, ']');
    const auto error = findJsonSyntaxError(deep);
    BOOST_REQUIRE(error.has_value());
    BOOST_TEST(error->message == "nested deeper than 32 levels");
    // A hostile body of a million brackets must not exhaust the stack.
    BOOST_TEST(findJsonSyntaxError(std::string(1000000, '[')).has_value());
}
