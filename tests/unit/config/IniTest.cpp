#define BOOST_TEST_MODULE ini
#include <boost/test/unit_test.hpp>

#include "config/Ini.h"

using lojal::parseIni;

BOOST_AUTO_TEST_CASE(reads_sections_keys_values_and_line_numbers) {
    const auto entries =
        parseIni("; comment\n[server]\nlisten = 127.0.0.1:1 \n\n# x\n[log]\nlevel=debug\r\n");
    BOOST_REQUIRE(entries.ok());
    BOOST_REQUIRE_EQUAL(entries->size(), 2u);
    BOOST_TEST((*entries)[0].section == "server");
    BOOST_TEST((*entries)[0].key == "listen");
    BOOST_TEST((*entries)[0].value == "127.0.0.1:1");
    BOOST_TEST((*entries)[0].line == 3);
    BOOST_TEST((*entries)[1].value == "debug");
    BOOST_TEST((*entries)[1].line == 7);
}

BOOST_AUTO_TEST_CASE(empty_text_has_no_entries) {
    const auto entries = parseIni("");
    BOOST_REQUIRE(entries.ok());
    BOOST_TEST(entries->empty());
}

BOOST_AUTO_TEST_CASE(value_may_contain_equals_and_colons) {
    const auto entries = parseIni("[tokens]\na = pos:abc=def\n");
    BOOST_REQUIRE(entries.ok());
    BOOST_TEST((*entries)[0].value == "pos:abc=def");
}

BOOST_AUTO_TEST_CASE(garbage_is_refused_with_its_line) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"[server]\nthis is no assignment\n", "line 2: expected 'key = value'"},
        {"key = value\n", "line 1: key outside any [section]"},
        {"[server\n", "line 1: section header lacks ']'"},
        {"[]\n", "line 1: invalid section name"},
        {"[a b]\n", "line 1: invalid section name"},
        {"[s]\n = v\n", "line 2: invalid key name"},
        {"[s]\nk=1\nk=2\n", "line 3: duplicate key 's.k'"},
        {"[s]\nk=a\x01b\n", "line 2: control character in line"},
    };
    for (const auto& c : cases) {
        const std::string text(c.text);
        const auto entries = parseIni(text);
        BOOST_TEST_CONTEXT(c.text) {
            BOOST_REQUIRE(!entries.ok());
            BOOST_TEST(entries.error().message == c.expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(nul_byte_is_refused) {
    const std::string text("[s]\nk=a\0b\n", 10);
    const auto entries = parseIni(text);
    BOOST_REQUIRE(!entries.ok());
    BOOST_TEST(entries.error().message == "line 2: control character in line");
}
