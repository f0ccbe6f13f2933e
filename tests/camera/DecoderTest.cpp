// lojald's camera decoder: lojal-decode (ZXing) run and supervised by
// DecoderSupervisor. Frames made at test time (BarcodeImages.h) are read; a
// decoder that aborts, segfaults or hangs (its --test-hooks) costs one frame
// its answer and is restarted, and the next frame is read.
#define BOOST_TEST_MODULE camera decoder
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <thread>

#include "BarcodeImages.h"
#include "barcode/MemberToken.h"
#include "barcode/Scan.h"
#include "camera/DecoderSupervisor.h"

using namespace lojal;
using namespace lojal::test;

namespace {

const std::string kQrKey = "member-qr-test-key";

camera::DecodeRequest requestOf(const LumaImage& image, uint32_t seq,
                                uint16_t formats = camera::kQrCode) {
    camera::DecodeRequest request;
    request.formats = formats;
    request.frame = camera::encodeFrame({image.width, image.height, seq}, image.pixels.data());
    return request;
}

DecoderOptions options(bool testHooks = false) {
    DecoderOptions o;
    o.program = LOJAL_DECODE_PATH;
    if (testHooks) o.args = {"--test-hooks"};
    return o;
}

LumaImage memberQr(const std::string& token, double degrees = 0) {
    BarcodeRender render;
    render.text = token;
    render.moduleSize = 4;
    render.rotationDegrees = degrees;
    render.noiseSigma = 6;
    render.blurRadius = 1;
    return renderBarcode(render);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_member_qr_on_camera_reads_like_a_scanned_one) {
    DecoderSupervisor decoder(options());
    const std::string token =
        barcode::signMemberToken({"M1", static_cast<int64_t>(std::time(nullptr)) + 600}, kQrKey);
    const DecodeAnswer answer = decoder.decode(requestOf(memberQr(token, 30), 7));
    BOOST_TEST(answer.error == "", answer.why);
    BOOST_REQUIRE(answer.found);
    BOOST_TEST(answer.format == "QRCode");
    BOOST_TEST(answer.symbology == "]Q1");
    BOOST_TEST(answer.text == token);
    // The same pipeline as a handheld scanner: AIM identifier + data.
    barcode::ClassifierConfig config;
    config.memberQrKey = kQrKey;
    const barcode::Scan scan =
        barcode::decodeScan(answer.symbology + answer.text, config, std::time(nullptr));
    BOOST_TEST(scan.valid, scan.reason);
    BOOST_TEST(std::string(barcode::toString(scan.kind)) == "member_qr");
    BOOST_TEST(scan.memberId == "M1");

    // Nothing in the frame: not found, no error.
    LumaImage empty{320, 240, std::vector<uint8_t>(320 * 240, 128)};
    const DecodeAnswer none = decoder.decode(requestOf(empty, 8));
    BOOST_TEST(!none.found);
    BOOST_TEST(none.error == "");
    BOOST_TEST(decoder.restarts() == 0);
}

BOOST_AUTO_TEST_CASE(an_ean_13_reads_when_asked_for) {
    DecoderSupervisor decoder(options());
    BarcodeRender render;
    render.format = "EAN-13";
    render.text = "4006381333931";
    render.moduleSize = 3;
    const LumaImage image = renderBarcode(render);
    BOOST_TEST(!decoder.decode(requestOf(image, 1, camera::kQrCode)).found);  // QR only: not read
    const DecodeAnswer answer = decoder.decode(requestOf(image, 2, camera::kEan13));
    BOOST_REQUIRE(answer.found);
    BOOST_TEST(answer.text == "4006381333931");
    BOOST_TEST(answer.symbology == "]E0");
}

BOOST_AUTO_TEST_CASE(a_decoder_that_aborts_crashes_or_hangs_is_restarted_and_the_next_frame_read) {
    DecoderOptions o = options(true);
    o.deadline = std::chrono::milliseconds(250);
    DecoderSupervisor decoder(o);
    const std::string token =
        barcode::signMemberToken({"M2", static_cast<int64_t>(std::time(nullptr)) + 600}, kQrKey);
    const LumaImage image = memberQr(token);
    BOOST_REQUIRE(decoder.decode(requestOf(image, 1)).found);
    int expectedRestarts = 0;
    for (const uint32_t hook : {0xFFFFFF01u, 0xFFFFFF02u, 0xFFFFFF03u}) {
        const auto start = std::chrono::steady_clock::now();
        const DecodeAnswer failed = decoder.decode(requestOf(image, hook));
        const auto took = std::chrono::steady_clock::now() - start;
        BOOST_TEST(!failed.found);
        BOOST_TEST(failed.error == "decoder_restarted", failed.why);
        BOOST_TEST((took < std::chrono::milliseconds(250 + 100)), failed.why);
        BOOST_TEST(decoder.restarts() == ++expectedRestarts);
        // The failures in a row make the next start wait a little: the frame
        // after is answered (restarting) or read, never lost in a hang.
        DecodeAnswer next;
        for (int attempt = 0; attempt < 100; ++attempt) {
            next = decoder.decode(requestOf(image, 100 + attempt));
            if (next.error != "decoder_restarting") break;
            std::this_thread::sleep_for(
                std::chrono::milliseconds(10));  // the backoff is time itself
        }
        BOOST_TEST(next.found, next.error << " " << next.why);
        BOOST_TEST(next.text == token);
    }
    BOOST_TEST(!decoder.degraded());  // 3 crashes: below the 5 that degrade the camera
}

BOOST_AUTO_TEST_CASE(repeated_crashes_degrade_the_camera) {
    DecoderOptions o = options(true);
    o.degradedAfterCrashes = 3;
    DecoderSupervisor decoder(o);
    const LumaImage image{64, 64, std::vector<uint8_t>(64 * 64, 100)};
    int crashes = 0;
    for (int attempt = 0; attempt < 500 && crashes < 3; ++attempt) {
        const DecodeAnswer answer = decoder.decode(requestOf(image, 0xFFFFFF01u));
        if (answer.error == "decoder_restarted")
            ++crashes;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(10));  // waiting out the backoff
    }
    BOOST_TEST(crashes == 3);
    BOOST_TEST(decoder.degraded());
}

BOOST_AUTO_TEST_CASE(a_missing_decoder_is_reported_not_fatal) {
    DecoderOptions o;
    o.program = "/nonexistent/lojal-decode";
    DecoderSupervisor decoder(o);
    const LumaImage image{64, 64, std::vector<uint8_t>(64 * 64, 100)};
    const DecodeAnswer answer = decoder.decode(requestOf(image, 1));
    BOOST_TEST(!answer.found);
    BOOST_TEST((answer.error == "decoder_unavailable" || answer.error == "decoder_restarted"),
               answer.why);
}
