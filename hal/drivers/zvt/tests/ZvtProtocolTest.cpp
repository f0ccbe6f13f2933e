#define BOOST_TEST_MODULE zvt_protocol
// The ZVT transport and application layers against byte vectors from the spec
// (PA00P016, PA00P015). Expected frames were computed outside this code, with
// CRC-16/KERMIT checked against check("123456789") = 0x2189.
#include <boost/test/unit_test.hpp>

#include "drivers/zvt/ZvtApdu.h"
#include "drivers/zvt/ZvtFrame.h"

using namespace lojal::hal::zvt;

namespace {

Bytes bytes(std::initializer_list<int> values) {
    Bytes out;
    for (int v : values) out.push_back(static_cast<uint8_t>(v));
    return out;
}

std::vector<FrameDecoder::Event> feedAll(FrameDecoder& decoder, const Bytes& data,
                                         int64_t now = 0) {
    return decoder.feed(data.data(), data.size(), now);
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(crc_is_crc16_kermit) {
    const std::string check = "123456789";
    BOOST_TEST(crc16Kermit(reinterpret_cast<const uint8_t*>(check.data()), check.size()) == 0x2189);
}

BOOST_AUTO_TEST_CASE(frames_are_byte_exact) {
    BOOST_TEST(encodeFrame(positiveCompletion()) ==
                   bytes({0x10, 0x02, 0x80, 0x00, 0x00, 0x10, 0x03, 0xF5, 0x1F}),
               boost::test_tools::per_element());
    // Registration: password 000000, config 08 (intermediate status), EUR (0978).
    BOOST_TEST(registration(0, kConfigIntermediateStatus, 978) ==
                   bytes({0x06, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08, 0x09, 0x78}),
               boost::test_tools::per_element());
    BOOST_TEST(encodeFrame(registration(0, kConfigIntermediateStatus, 978)) ==
                   bytes({0x10, 0x02, 0x06, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08, 0x09, 0x78, 0x10,
                          0x03, 0x3A, 0x80}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dle_inside_the_apdu_is_doubled_and_undoubled) {
    const Bytes apdu = bytes({0x06, 0x01, 0x02, 0x10, 0x20});
    const Bytes frame = encodeFrame(apdu);
    BOOST_TEST(
        frame == bytes({0x10, 0x02, 0x06, 0x01, 0x02, 0x10, 0x10, 0x20, 0x10, 0x03, 0xF5, 0xBE}),
        boost::test_tools::per_element());
    FrameDecoder decoder;
    const auto events = feedAll(decoder, frame);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::frame));
    BOOST_TEST(events[0].apdu == apdu, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(commands_are_byte_exact) {
    BOOST_TEST(abortCommand() == bytes({0x06, 0xB0, 0x00}), boost::test_tools::per_element());
    BOOST_TEST(logOff() == bytes({0x06, 0x02, 0x00}), boost::test_tools::per_element());
    BOOST_TEST(statusEnquiry(123456) == bytes({0x05, 0x01, 0x03, 0x12, 0x34, 0x56}),
               boost::test_tools::per_element());
    // Read card: timeout 30 s, TLV: 1F15 = 80 (send 1F14), 1F60 = 07 (all technologies).
    BOOST_TEST(readCard(30) == bytes({0x06, 0xC0, 0x0B, 0x1E, 0x06, 0x08, 0x1F, 0x15, 0x01, 0x80,
                                      0x1F, 0x60, 0x01, 0x07}),
               boost::test_tools::per_element());
    // Authorization 116.80 EUR: 04 <6-byte BCD amount> 49 <currency>, plus 1F15.
    BOOST_TEST(authorization(11680, 978) ==
                   bytes({0x06, 0x01, 0x10, 0x04, 0x00, 0x00, 0x00, 0x01, 0x16, 0x80, 0x49, 0x09,
                          0x78, 0x06, 0x04, 0x1F, 0x15, 0x01, 0x80}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(extended_lengths_are_little_endian) {
    const Bytes data(300, 0xAB);
    const Bytes apdu = encodeApdu(0x06, 0xD3, data);
    BOOST_TEST(apdu[2] == 0xFF);
    BOOST_TEST(apdu[3] == 0x2C);  // 300 = 0x012C, low byte first
    BOOST_TEST(apdu[4] == 0x01);
    auto parsed = parseApdu(apdu);
    BOOST_REQUIRE(parsed.ok());
    BOOST_TEST(parsed->data.size() == 300u);
    BOOST_TEST(encodeApdu(0x06, 0xD3, Bytes(254, 1))[2] == 254);  // the one-byte maximum
}

BOOST_AUTO_TEST_CASE(lengths_that_lie_are_refused) {
    BOOST_TEST(!parseApdu(bytes({0x04, 0x0F})).ok());
    BOOST_TEST(!parseApdu(bytes({0x04, 0x0F, 0x05, 0x27})).ok());
    BOOST_TEST(!parseApdu(bytes({0x04, 0x0F, 0x00, 0x27})).ok());
    BOOST_TEST(!parseApdu(bytes({0x04, 0x0F, 0xFF, 0x01})).ok());
    BOOST_TEST(!parseApdu(bytes({0x04, 0x0F, 0xFF, 0x02, 0x00, 0x01})).ok());
    BOOST_TEST(parseApdu(bytes({0x04, 0x0F, 0x02, 0x27, 0x00})).ok());
}

BOOST_AUTO_TEST_CASE(the_decoder_survives_noise_splits_and_bad_frames) {
    FrameDecoder decoder;
    const Bytes good = encodeFrame(positiveCompletion());
    // Noise, then a frame split byte by byte, then ACK and NAK.
    auto events = feedAll(decoder, bytes({0x41, 0x42, 0x10, 0x41}));
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::noise));
    for (size_t i = 0; i + 1 < good.size(); ++i) BOOST_TEST(decoder.feed(&good[i], 1, 10).empty());
    events = decoder.feed(&good.back(), 1, 20);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::frame));
    events = feedAll(decoder, bytes({0x06, 0x15}), 30);
    BOOST_REQUIRE_EQUAL(events.size(), 2u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::ack));
    BOOST_TEST((events[1].kind == FrameDecoder::Event::Kind::nak));

    Bytes corrupted = good;
    corrupted[corrupted.size() - 1] ^= 0xFF;
    events = feedAll(decoder, corrupted, 40);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::badCrc));

    events = feedAll(decoder, bytes({0x10, 0x02, 0x80, 0x10, 0x41}), 50);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::malformed));
    // And still in step afterwards.
    events = feedAll(decoder, good, 60);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::frame));
}

BOOST_AUTO_TEST_CASE(silence_inside_a_message_is_a_t1_timeout) {
    FrameDecoder decoder(200);
    const Bytes good = encodeFrame(positiveCompletion());
    BOOST_TEST(decoder.feed(good.data(), 4, 1000).empty());
    BOOST_TEST(!decoder.poll(1200).has_value());
    const auto timeout = decoder.poll(1201);
    BOOST_REQUIRE(timeout.has_value());
    BOOST_TEST((timeout->kind == FrameDecoder::Event::Kind::t1Timeout));
    BOOST_TEST(!decoder.inMessage());
    // The rest arriving late is noise, then a whole frame decodes again.
    auto events = decoder.feed(good.data() + 4, good.size() - 4, 1300);
    BOOST_TEST((!events.empty() && events[0].kind == FrameDecoder::Event::Kind::noise));
    events = feedAll(decoder, good, 1400);
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::frame));
}

BOOST_AUTO_TEST_CASE(an_endless_frame_is_cut_off) {
    FrameDecoder decoder;
    Bytes flood{0x10, 0x02};
    flood.resize(kMaxApdu + 10, 0x41);
    const auto events = feedAll(decoder, flood);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST((events[0].kind == FrameDecoder::Event::Kind::tooLong));
}

BOOST_AUTO_TEST_CASE(tlv_lengths_nesting_and_limits) {
    // 1F14 with 81-form length, inside a constructed tag (E1).
    Bytes card(130, 0x5A);
    Bytes inner = encodeTlv(0x1F14, card);
    BOOST_TEST(inner[2] == 0x81);
    const Bytes outer = encodeTlv(0xE1, inner);
    auto parsed = parseTlv(outer.data(), outer.size());
    BOOST_REQUIRE(parsed.ok());
    const Tlv* found = findTag(*parsed, 0x1F14);
    BOOST_REQUIRE(found != nullptr);
    BOOST_TEST(found->value.size() == 130u);
    BOOST_TEST(encodeTlv(0x1F14, Bytes(300, 1))[2] == 0x82);  // two-byte length, big-endian

    Bytes deep = encodeTlv(0x1F14, {1});
    for (int i = 0; i < kMaxTlvDepth + 1; ++i) deep = encodeTlv(0xE1, deep);
    BOOST_TEST(!parseTlv(deep.data(), deep.size()).ok());
    const Bytes lying = bytes({0x1F, 0x14, 0x05, 0x01});
    BOOST_TEST(!parseTlv(lying.data(), lying.size()).ok());
    const Bytes endlessTag = bytes({0x1F, 0x81, 0x81, 0x81, 0x81, 0x01});
    BOOST_TEST(!parseTlv(endlessTag.data(), endlessTag.size()).ok());
    const Bytes badLength = bytes({0x1F, 0x14, 0x85, 0, 0, 0, 0, 1});
    BOOST_TEST(!parseTlv(badLength.data(), badLength.size()).ok());
}

BOOST_AUTO_TEST_CASE(status_information_gives_what_a_store_uses) {
    const Bytes data = concat({
        bytes({0x27, 0x00}),                                                        // result: ok
        bytes({0x04, 0x00, 0x00, 0x00, 0x01, 0x16, 0x80}),                          // amount 116.80
        bytes({0x0B, 0x00, 0x01, 0x23}),                                            // trace 000123
        bytes({0x87, 0x00, 0x42}),                                                  // receipt 0042
        bytes({0x29, 0x12, 0x34, 0x56, 0x78}),                                      // terminal id
        bytes({0x0E, 0x28, 0x12}),                                                  // expiry 2812
        bytes({0x22, 0xF0, 0xF8, 0x47, 0x61, 0x73, 0xEE, 0xEE, 0xEE, 0x00, 0x10}),  // masked PAN
        bytes({0x8A, 0x05}),                                                        // card type
        bytes({0x8B, 0xF0, 0xF4, 'V', 'I', 'S', 'A'}),                              // card name
        bytes({0x06, 0x07, 0x1F, 0x14, 0x04, 0xDE, 0xAD, 0xBE, 0xEF}),              // 1F14
    });
    const StatusInformation info = parseStatusInformation(data);
    BOOST_TEST(info.problem == "");
    BOOST_TEST(info.result.value_or(-1) == 0);
    BOOST_TEST(info.amountMinor.value_or(-1) == 11680);
    BOOST_TEST(info.trace == "000123");
    BOOST_TEST(info.receipt == "0042");
    BOOST_TEST(info.terminalId == "12345678");
    BOOST_TEST(info.expiry == "2812");
    BOOST_TEST(info.maskedPan == "476173******0010");
    BOOST_TEST(!info.panWasInClear);
    BOOST_TEST(info.cardType.value_or(-1) == 5);
    BOOST_TEST(info.cardName == "VISA");
    BOOST_TEST(info.cardIdentification == bytes({0xDE, 0xAD, 0xBE, 0xEF}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_pan_in_clear_is_masked_and_track_data_dropped) {
    const Bytes data = concat({
        bytes({0x22, 0xF0, 0xF8, 0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10}),
        bytes({0x23, 0xF0, 0xF3, 0x47, 0x61, 0x73}),
    });
    const StatusInformation info = parseStatusInformation(data);
    BOOST_TEST(info.maskedPan == "476173******0010");
    BOOST_TEST(info.panWasInClear);
    BOOST_TEST(info.trackDataSeen);
    BOOST_TEST(info.problem == "");
}

BOOST_AUTO_TEST_CASE(unknown_bmps_and_bad_lengths_stop_with_a_reason) {
    auto info = parseStatusInformation(bytes({0x27, 0x00, 0x5F, 0x01, 0x8A, 0x05}));
    BOOST_TEST(info.result.value_or(-1) == 0);
    BOOST_TEST(info.problem.find("unknown BMP 5F") != std::string::npos, info.problem);
    BOOST_TEST(!info.cardType.has_value());
    info = parseStatusInformation(bytes({0x22, 0xF9, 0xF9, 0x47}));
    BOOST_TEST(info.problem.find("longer than the message") != std::string::npos, info.problem);
    info = parseStatusInformation(bytes({0x22, 0x12, 0x34}));
    BOOST_TEST(info.problem.find("bad variable length") != std::string::npos, info.problem);
    info = parseStatusInformation(bytes({0x04, 0x00}));
    BOOST_TEST(!info.problem.empty());
}

BOOST_AUTO_TEST_CASE(status_enquiry_completion_is_positional) {
    auto status = parseStatusEnquiryCompletion(bytes({0xF0, 0xF0, 0xF3, '1', '.', '2', 0x00}));
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(status->softwareVersion == "1.2");
    BOOST_TEST(status->statusCode == 0);
    status = parseStatusEnquiryCompletion(bytes({0xDC}));
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(status->statusCode == 0xDC);
    BOOST_TEST(!parseStatusEnquiryCompletion(bytes({0xF0, 0xF0, 0xF9, '1'})).has_value());
    BOOST_TEST(!parseStatusEnquiryCompletion(bytes({0xF0, 0xF0, 0xF1, '1'})).has_value());
    BOOST_TEST(!parseStatusEnquiryCompletion(bytes({})).has_value());
}
