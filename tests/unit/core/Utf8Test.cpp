#define BOOST_TEST_MODULE utf8
#include <boost/test/unit_test.hpp>

#include "core/Utf8.h"

using namespace lojal;

BOOST_AUTO_TEST_CASE(sequence_lengths) {
    BOOST_TEST(utf8SequenceLength("a", 0) == 1u);
    BOOST_TEST(utf8SequenceLength("\xC3\xA5", 0) == 2u);          // å
    BOOST_TEST(utf8SequenceLength("\xE2\x82\xAC", 0) == 3u);      // €
    BOOST_TEST(utf8SequenceLength("\xF0\x9F\x9B\x92", 0) == 4u);  // 🛒
    BOOST_TEST(utf8SequenceLength("\xC0\xAF", 0) == 0u);          // overlong
    BOOST_TEST(utf8SequenceLength("\xED\xA0\x80", 0) == 0u);      // surrogate
    BOOST_TEST(utf8SequenceLength("\xF4\x90\x80\x80", 0) == 0u);  // past U+10FFFF
    BOOST_TEST(utf8SequenceLength("\xE2\x82", 0) == 0u);          // truncated
    BOOST_TEST(utf8SequenceLength("\xFF", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(scanned_text_is_utf8_or_read_as_latin1) {
    BOOST_TEST(isValidUtf8("Åsa"));
    BOOST_TEST(!isValidUtf8("V\xE4lkommen"));
    BOOST_TEST(scannedTextToUtf8("Åsa") == "Åsa");
    BOOST_TEST(scannedTextToUtf8("V\xE4lkommen") == "Välkommen");
    BOOST_TEST(isValidUtf8(scannedTextToUtf8(std::string("\x00\xFF\x80\xC3", 4))));
    BOOST_TEST(scannedTextToUtf8("") == "");
}
