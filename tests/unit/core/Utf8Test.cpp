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

BOOST_AUTO_TEST_CASE(cp437_text_becomes_utf8_up_to_a_nul_without_controls) {
    // Code page 437: 0x84 ä, 0x94 ö, 0x86 å, 0x8E Ä, 0x99 Ö, 0x8F Å, 0x82 é, 0xE1 ß,
    // 0x9B ¢, 0xC4 ─ (box drawing), 0xFF no-break space.
    BOOST_TEST(cp437TextToUtf8("K\x94p") == "K\xC3\xB6p");
    BOOST_TEST(cp437TextToUtf8("\x84\x86\x8E\x99\x8F") ==
               "\xC3\xA4\xC3\xA5\xC3\x84\xC3\x96\xC3\x85");
    BOOST_TEST(cp437TextToUtf8("caf\x82 Stra\xE1"
                               "e") ==
               "caf\xC3\xA9 Stra\xC3\x9F"
               "e");
    BOOST_TEST(cp437TextToUtf8("\x9B\xC4\xFF") == "\xC2\xA2\xE2\x94\x80\xC2\xA0");
    BOOST_TEST(cp437TextToUtf8(std::string("AB\0CD", 5)) == "AB");
    BOOST_TEST(cp437TextToUtf8("A\rB\nC\x1B[2JD\x7F") == "ABC[2JD");
    for (int byte = 1; byte < 256; ++byte) {  // every byte gives valid UTF-8
        BOOST_TEST(isValidUtf8(cp437TextToUtf8(std::string(1, static_cast<char>(byte)))));
    }
}
