// The camera frame header and the decoder's message framing (pure).
#define BOOST_TEST_MODULE camera frames
#include <boost/test/unit_test.hpp>

#include <vector>

#include "camera/CameraFrame.h"
#include "camera/DecoderProtocol.h"

using namespace lojal::camera;

namespace {

std::string frameOf(int width, int height, uint32_t seq) {
    const std::vector<uint8_t> pixels(size_t(width) * height, 128);
    return encodeFrame({width, height, seq}, pixels.data());
}

std::string problemOf(const std::string& bytes) {
    FrameProblem problem;
    const auto frame =
        parseFrame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), problem);
    return frame ? "" : problem.code;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_frame_round_trips) {
    const std::string bytes = frameOf(640, 480, 0xA1B2C3D4);
    BOOST_TEST(bytes.size() == 12u + 640 * 480);
    BOOST_TEST(bytes.substr(0, 4) == std::string("LF\x01\x00", 4));
    FrameProblem problem;
    const auto frame =
        parseFrame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), problem);
    BOOST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->header.width == 640);
    BOOST_TEST(frame->header.height == 480);
    BOOST_TEST(frame->header.seq == 0xA1B2C3D4u);
    BOOST_TEST(frame->pixels == reinterpret_cast<const uint8_t*>(bytes.data()) + 12);
}

BOOST_AUTO_TEST_CASE(every_field_is_checked_before_decoding) {
    BOOST_TEST(problemOf("") == "frame_too_short");
    BOOST_TEST(problemOf("LF\x01") == "frame_too_short");
    std::string bytes = frameOf(16, 16, 1);
    BOOST_TEST(problemOf(bytes) == "");
    BOOST_TEST(problemOf("XF" + bytes.substr(2)) == "bad_magic");
    BOOST_TEST(problemOf(bytes.substr(0, 2) + "\x02" + bytes.substr(3)) == "unsupported_version");
    BOOST_TEST(problemOf(bytes.substr(0, 3) + "\x01" + bytes.substr(4)) == "bad_flags");
    BOOST_TEST(problemOf(bytes + "x") == "frame_length_mismatch");
    BOOST_TEST(problemOf(bytes.substr(0, bytes.size() - 1)) == "frame_length_mismatch");
    BOOST_TEST(problemOf(frameOf(15, 16, 1)) == "bad_frame_size");
    BOOST_TEST(problemOf(frameOf(16, 1281, 1)) == "bad_frame_size");
    BOOST_TEST(problemOf(frameOf(1280, 1280, 1)) == "");
    // A header that claims 65535 x 65535 is refused on its size, not by reading.
    std::string huge = bytes.substr(0, 12);
    huge[4] = huge[5] = huge[6] = huge[7] = '\xff';
    BOOST_TEST(problemOf(huge) == "bad_frame_size");
}

BOOST_AUTO_TEST_CASE(decode_requests_carry_flags_formats_and_the_frame) {
    DecodeRequest request;
    request.flags = kTryHarder;
    request.formats = kQrCode | kEan13;
    request.frame = frameOf(32, 20, 9);
    FrameProblem problem;
    const auto parsed = parseDecodeRequest(encodeDecodeRequest(request), problem);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->flags == kTryHarder);
    BOOST_TEST(parsed->formats == (kQrCode | kEan13));
    BOOST_TEST(parsed->frame == request.frame);
    request.formats = 0;
    BOOST_TEST(!parseDecodeRequest(encodeDecodeRequest(request), problem));
    BOOST_TEST(problem.code == "bad_formats");
    request.formats = 1 << 12;
    BOOST_TEST(!parseDecodeRequest(encodeDecodeRequest(request), problem));
    BOOST_TEST(!parseDecodeRequest("\x02\x00\x01\x00", problem));
    BOOST_TEST(problem.code == "bad_request");
}

BOOST_AUTO_TEST_CASE(messages_are_split_from_a_stream_in_any_pieces) {
    const std::string stream =
        withLength("first") + withLength("") + withLength(std::string(300, 'x'));
    MessageReader reader(1000);
    std::vector<std::string> got;
    for (const char byte : stream) {  // one byte at a time: the worst split
        reader.feed(&byte, 1);
        while (auto body = reader.next()) got.push_back(*body);
    }
    BOOST_REQUIRE(got.size() == 3u);
    BOOST_TEST(got[0] == "first");
    BOOST_TEST(got[1] == "");
    BOOST_TEST(got[2] == std::string(300, 'x'));
    MessageReader strict(10);
    const std::string tooLong = withLength(std::string(11, 'y'));
    strict.feed(tooLong.data(), tooLong.size());
    BOOST_TEST(!strict.next());
    BOOST_TEST(strict.broken());
}

BOOST_AUTO_TEST_CASE(a_refused_header_still_names_its_seq_when_it_got_that_far) {
    std::string bytes = frameOf(32, 32, 77);
    bytes[3] = 1;  // flags
    FrameProblem problem;
    BOOST_TEST(!parseFrame(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), problem));
    BOOST_TEST(problem.code == "bad_flags");
    BOOST_TEST((problem.seq && *problem.seq == 77u));
    FrameProblem shortProblem;
    BOOST_TEST(!parseFrame(reinterpret_cast<const uint8_t*>("LF"), 2, shortProblem));
    BOOST_TEST(!shortProblem.seq);
}

BOOST_AUTO_TEST_CASE(camera_formats_are_named_in_config_words) {
    BOOST_TEST(*parseFormats("qr") == kQrCode);
    BOOST_TEST(*parseFormats("ean13,ean8, upca ,upce") == (kEan13 | kEan8 | kUpcA | kUpcE));
    BOOST_TEST(formatsToString(kQrCode | kEan13) == "qr,ean13");
    BOOST_TEST(!parseFormats("").ok());
    BOOST_TEST(!parseFormats("qr,").ok());
    BOOST_TEST(!parseFormats("QR").ok());  // config words are lower case
    BOOST_TEST(!parseFormats("pdf417").ok());
}
