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

BOOST_AUTO_TEST_CASE(invalid_bytes_become_replacement_characters) {
    BOOST_TEST(toValidUtf8("Åsa") == "Åsa");
    BOOST_TEST(toValidUtf8(std::string("a\xFF" "b\xC3", 4)) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    BOOST_TEST(toValidUtf8("") == "");
}
