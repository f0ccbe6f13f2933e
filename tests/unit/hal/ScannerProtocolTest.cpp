#define BOOST_TEST_MODULE scanner_protocol
#include <boost/test/unit_test.hpp>

#include "barcode/ScanEvent.h"
#include "drivers/serial-scanner/ScannerProtocol.h"

using namespace lojal::hal;
using namespace std::chrono_literals;

namespace {
const ScanFramer::TimePoint t0{};
}

BOOST_AUTO_TEST_CASE(frames_end_at_the_suffix_even_split_across_reads) {
    ScanFramer framer({"\r\n", "", 50ms, 4096});
    FramerOutput out;
    framer.feed("]E0400638", t0, out);
    framer.feed("1333931\r", t0 + 1ms, out);
    BOOST_TEST(out.frames.empty());
    framer.feed("\n73513537\r\n", t0 + 2ms, out);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 2u);
    BOOST_TEST(out.frames[0] == "]E04006381333931");
    BOOST_TEST(out.frames[1] == "73513537");
}

BOOST_AUTO_TEST_CASE(silence_ends_a_frame_without_suffix) {
    ScanFramer framer({"", "", 30ms, 4096});
    FramerOutput out;
    framer.feed("4006381333931", t0, out);
    framer.tick(t0 + 29ms, out);
    BOOST_TEST(out.frames.empty());
    framer.tick(t0 + 30ms, out);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 1u);
    BOOST_TEST(out.frames[0] == "4006381333931");
    framer.tick(t0 + 100ms, out);
    BOOST_TEST(out.frames.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_stale_partial_frame_does_not_glue_onto_the_next_scan) {
    ScanFramer framer({"\r", "", 50ms, 4096});
    FramerOutput out;
    framer.feed("garb", t0, out);
    framer.feed("73513537\r", t0 + 500ms, out);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 2u);
    BOOST_TEST(out.frames[0] == "garb");
    BOOST_TEST(out.frames[1] == "73513537");
}

BOOST_AUTO_TEST_CASE(prefix_is_stripped) {
    ScanFramer framer({"\r", "\x02", 50ms, 4096});
    FramerOutput out;
    framer.feed(
        "\x02"
        "73513537\r",
        t0, out);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 1u);
    BOOST_TEST(out.frames[0] == "73513537");
}

BOOST_AUTO_TEST_CASE(a_64_kib_line_without_suffix_is_dropped_with_bounded_memory) {
    ScanFramer framer({"\r", "", 50ms, 4096});
    FramerOutput out;
    const std::string flood(64 * 1024, 'x');
    for (size_t i = 0; i < flood.size(); i += 1000) {
        framer.feed(std::string_view(flood).substr(i, 1000), t0 + 1ms, out);
        BOOST_TEST(framer.buffered() <= 4097u);
    }
    framer.feed("\r73513537\r", t0 + 2ms, out);
    BOOST_TEST(out.overflows == 1u);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 1u);  // the reader is not stuck
    BOOST_TEST(out.frames[0] == "73513537");
}

BOOST_AUTO_TEST_CASE(overflow_without_suffix_recovers_after_silence) {
    ScanFramer framer({"", "", 50ms, 16});
    FramerOutput out;
    framer.feed(std::string(100, 'y'), t0, out);
    framer.tick(t0 + 60ms, out);
    framer.feed("12345", t0 + 70ms, out);
    framer.tick(t0 + 200ms, out);
    BOOST_TEST(out.overflows == 1u);
    BOOST_REQUIRE_EQUAL(out.frames.size(), 1u);
    BOOST_TEST(out.frames[0] == "12345");
}

BOOST_AUTO_TEST_CASE(duplicates_within_the_window_are_dropped) {
    lojal::barcode::DuplicateFilter filter(1000ms);
    BOOST_TEST(filter.accept("A", t0));
    BOOST_TEST(!filter.accept("A", t0 + 500ms));
    BOOST_TEST(!filter.accept("A", t0 + 1400ms));  // the window restarted at 500 ms
    BOOST_TEST(filter.accept("A", t0 + 2500ms));
    BOOST_TEST(filter.accept("B", t0 + 2600ms));
    BOOST_TEST(filter.accept("A", t0 + 2700ms));
}
