#define BOOST_TEST_MODULE api_camera
// GET /v1/camera end to end: a real lojald, a real lojal-decode, frames made
// with ZXing's writer and sent over a real WebSocket.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "BarcodeImages.h"
#include "LojaldProcess.h"
#include "barcode/MemberToken.h"
#include "camera/CameraFrame.h"

using namespace lojal::test;
using Poco::Net::WebSocket;

namespace {

const char* kQrKey = "store-member-qr-key-0123";
constexpr uint32_t kAbortHook = 0xFFFFFF01;  // lojal-decode --test-hooks aborts on this seq
constexpr int kLastFragment = int(WebSocket::FRAME_OP_CONT) | int(WebSocket::FRAME_FLAG_FIN);

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string frameOf(const LumaImage& image, uint32_t seq) {
    return lojal::camera::encodeFrame({image.width, image.height, seq}, image.pixels.data());
}

std::string qrFrame(const std::string& text, uint32_t seq) {
    BarcodeRender render;
    render.text = text;
    render.rotationDegrees = 20;
    render.noiseSigma = 4;
    return frameOf(renderBarcode(render), seq);
}

std::string blankFrame(uint32_t seq, int width = 64, int height = 48) {
    LumaImage image;
    image.width = width;
    image.height = height;
    image.pixels.assign(size_t(width) * height, 200);
    return frameOf(image, seq);
}

std::string memberToken(const std::string& id) {
    return lojal::barcode::signMemberToken({id, static_cast<int64_t>(time(nullptr)) + 3600},
                                           kQrKey);
}

// lojal-decode with its failure hooks on: a wrapper script, as the config's
// camera.decoder, so lojald itself has no test switch.
std::string hookedDecoder(const TempDir& dir) {
    const std::string path = dir.file("lojal-decode-hooked");
    std::ofstream(path) << "#!/bin/sh\nexec " << LOJAL_DECODE_PATH << " --test-hooks \"$@\"\n";
    ::chmod(path.c_str(), 0755);
    return path;
}

std::string cameraConfig(const std::string& extra = "") {
    return "[scanning]\nmember_qr_key = " + std::string(kQrKey) + "\n[camera]\n" + extra;
}

long residentKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

int metric(int port, const std::string& name) {
    const auto metrics = httpRequest(port, "GET", "/metrics", kMonitorToken).body;
    const size_t at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + name.size() + 2));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_member_qr_at_the_camera_is_the_same_event_as_at_a_scanner) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    RunningLojald lojald("[device.scanner-1]\ndriver = serial-scanner\nport = " + sim.link() +
                         "\nsuffix = cr\n" + cameraConfig());
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"ready\""}).empty());
    const std::string token = memberToken("M-42");

    CameraClient camera(lojald.port, kKioskToken);
    camera.send(qrFrame(token, 7));
    const auto answer = parse(camera.next());
    BOOST_TEST(answer->getValue<uint32_t>("seq") == 7u);
    BOOST_TEST(answer->getValue<bool>("found"));
    BOOST_TEST(answer->getValue<std::string>("format") == "QRCode");
    BOOST_TEST(answer->getValue<std::string>("text") == token);
    BOOST_TEST(answer->getValue<std::string>("kind") == "member_qr");
    BOOST_TEST(answer->getObject("member")->getValue<std::string>("member_id") == "M-42");
    BOOST_TEST(answer->getValue<double>("ms") > 0.0);
    const auto fromCamera = parse(events.waitFor({"\"type\":\"scan\"", "\"device\":\"camera\""}));

    BOOST_REQUIRE(sim.command("scan ]Q1" + token).rfind("ok", 0) == 0);
    const auto fromScanner =
        parse(events.waitFor({"\"type\":\"scan\"", "\"device\":\"scanner-1\""}));
    std::ostringstream camera_data, scanner_data;
    fromCamera->getObject("data")->stringify(camera_data);
    fromScanner->getObject("data")->stringify(scanner_data);
    BOOST_TEST(camera_data.str() == scanner_data.str());
    BOOST_TEST(camera_data.str().find("\"member_id\":\"M-42\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_code_held_in_front_of_the_camera_is_one_event_not_one_per_frame) {
    RunningLojald lojald(cameraConfig("max_frames_per_second = 60\n"));
    EventClient events(lojald.port, kPosToken);
    CameraClient camera(lojald.port, kKioskToken);
    for (uint32_t seq = 1; seq <= 3; ++seq) {
        camera.send(qrFrame("hello", seq));  // any QR text: kind unknown, still a scan
        BOOST_TEST(parse(camera.next())->getValue<bool>("found"));
    }
    const std::string first = events.waitFor({"\"device\":\"camera\""});
    BOOST_TEST(first.find("hello") != std::string::npos);
    camera.send(qrFrame("world", 4));
    BOOST_TEST(parse(camera.next())->getValue<bool>("found"));
    // The next camera event is the new code: the repeats of the first made none.
    const std::string second = events.waitFor({"\"device\":\"camera\""});
    BOOST_TEST(second.find("world") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_frames_get_their_code_and_the_socket_goes_on) {
    RunningLojald lojald(cameraConfig("max_frames_per_second = 60\n"));
    CameraClient camera(lojald.port, kKioskToken);
    const auto refusedWith = [&](const std::string& payload, int flags = -1) {
        camera.send(payload, flags);
        const auto answer = parse(camera.next());
        BOOST_TEST(!answer->getValue<bool>("found"));
        BOOST_TEST(!answer->getValue<std::string>("message").empty());
        return answer->getValue<std::string>("error");
    };
    BOOST_TEST(refusedWith("") == "frame_too_short");
    BOOST_TEST(refusedWith("LF\x01") == "frame_too_short");
    BOOST_TEST(refusedWith(std::string("XX\x01\0", 4) + blankFrame(1).substr(4)) == "bad_magic");
    BOOST_TEST(refusedWith(blankFrame(2), WebSocket::FRAME_TEXT) == "frame_not_binary");
    std::string shortByOne = blankFrame(3);
    shortByOne.pop_back();
    BOOST_TEST(refusedWith(shortByOne) == "frame_length_mismatch");
    BOOST_TEST(refusedWith(blankFrame(4) + "x") == "frame_length_mismatch");
    BOOST_TEST(refusedWith(blankFrame(5, 8, 8)) == "bad_frame_size");
    std::string wrongVersion = blankFrame(6);
    wrongVersion[2] = 2;
    BOOST_TEST(refusedWith(wrongVersion) == "unsupported_version");
    // The header named its seq: the refusal carries it back.
    camera.send(shortByOne);
    BOOST_TEST(parse(camera.next())->getValue<uint32_t>("seq") == 3u);

    // After all that, a good frame is still decoded.
    camera.send(qrFrame(memberToken("M-1"), 9));
    BOOST_TEST(parse(camera.next())->getValue<bool>("found"));
}

BOOST_AUTO_TEST_CASE(a_fragmented_frame_is_joined_and_an_oversized_one_closes_with_1009) {
    RunningLojald lojald(cameraConfig());
    CameraClient camera(lojald.port, kKioskToken);
    const std::string frame = qrFrame(memberToken("M-2"), 11);
    const size_t third = frame.size() / 3;
    camera.send(frame.substr(0, third), WebSocket::FRAME_OP_BINARY);  // no FIN
    camera.send(frame.substr(third, third), WebSocket::FRAME_OP_CONT);
    camera.send(frame.substr(2 * third), kLastFragment);
    const auto answer = parse(camera.next());
    BOOST_TEST(answer->getValue<uint32_t>("seq") == 11u);
    BOOST_TEST(answer->getValue<bool>("found"));

    // Fragments that each fit but together pass the biggest frame (1280x1280).
    const std::string half(lojal::camera::kMaxFrameBytes / 2 + 1, '\0');
    camera.send(half, WebSocket::FRAME_OP_BINARY);
    camera.send(half, kLastFragment);
    BOOST_TEST(camera.next() == "");
    BOOST_TEST(camera.closeCode() == 1009);

    CameraClient whole(lojald.port, kKioskToken);
    try {
        whole.send(std::string(lojal::camera::kMaxFrameBytes + 1, '\0'));
    } catch (const Poco::Exception&) {
        // lojald may close before the client has written it all
    }
    BOOST_TEST(whole.next() == "");
    BOOST_TEST(whole.closeCode() == 1009);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(two_hundred_frames_a_second_get_one_answer_each_and_memory_stays_bounded) {
    RunningLojald lojald(cameraConfig("max_frames_per_second = 10\n"));
    CameraClient camera(lojald.port, kKioskToken);
    // Warm up: the decoder runs, the buffers exist.
    camera.send(qrFrame(memberToken("M-3"), 1));
    BOOST_REQUIRE(parse(camera.next())->getValue<bool>("found"));
    const long before = residentKib(lojald.process->pid());

    const std::string frame = qrFrame(memberToken("M-3"), 0);
    constexpr uint32_t kFrames = 200;
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t seq = 100; seq < 100 + kFrames; ++seq) {
        std::string numbered = frame;
        for (int i = 0; i < 4; ++i) numbered[8 + i] = static_cast<char>((seq >> (8 * i)) & 0xff);
        camera.send(numbered);
        std::this_thread::sleep_until(start + std::chrono::milliseconds(5 * (seq - 99)));  // pacing
    }
    std::map<std::string, int> outcomes;
    std::set<uint32_t> answered;
    while (answered.size() < kFrames) {
        const std::string text = camera.next();
        BOOST_REQUIRE(!text.empty());
        const auto answer = parse(text);
        BOOST_TEST(answered.insert(answer->getValue<uint32_t>("seq")).second);  // once each
        ++outcomes[answer->optValue<std::string>(
            "error", answer->getValue<bool>("found") ? "found" : "not_found")];
    }
    // Sending may take longer than a second (a sanitizer build, a loaded
    // machine): the cap is per second, so what may pass grows with the time
    // lojald took to read them, which ends before the last answer comes.
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int allowed = 10 + static_cast<int>(10 * seconds) + 2;
    BOOST_TEST_MESSAGE("200 frames in " << seconds << " s: " << outcomes["found"] << " decoded, "
                                        << outcomes["rate_limited"] << " rate_limited, "
                                        << outcomes["superseded"] << " superseded");
    // A 10/s cap with a burst of 10 lets at most 10 + 10 a second through.
    BOOST_TEST(outcomes["found"] + outcomes["superseded"] <= allowed);
    BOOST_TEST(outcomes["rate_limited"] >= 200 - allowed);
    BOOST_TEST(outcomes["found"] >= 1);
    const long after = residentKib(lojald.process->pid());
    BOOST_TEST_MESSAGE("lojald RSS " << before << " KiB before, " << after << " KiB after");
#ifndef LOJAL_SANITIZED_BUILD                // ASan keeps freed memory in quarantine (up to 256 MB)
    BOOST_TEST(after - before < 32 * 1024);  // a frame is 300 KB; at most two are held
#endif
    BOOST_TEST(metric(lojald.port, "lojal_camera_frames_total{outcome=\"rate_limited\"}") ==
               outcomes["rate_limited"]);
}

BOOST_AUTO_TEST_CASE(a_decoder_that_aborts_is_restarted_and_lojald_goes_on) {
    TempDir dir;
    RunningLojald lojald(
        cameraConfig("decoder = " + hookedDecoder(dir) +
                     "\nmax_frames_per_second = 60\ndegraded_after_crashes = 3\n"));
    EventClient events(lojald.port, kPosToken);
    CameraClient camera(lojald.port, kKioskToken);
    const pid_t lojaldPid = lojald.process->pid();

    camera.send(blankFrame(kAbortHook));
    auto answer = parse(camera.next());
    BOOST_TEST(answer->getValue<uint32_t>("seq") == kAbortHook);
    BOOST_TEST(answer->getValue<std::string>("error") == "decoder_restarted");
    camera.send(qrFrame(memberToken("M-4"), 2));
    answer = parse(camera.next());
    BOOST_TEST(answer->getValue<bool>("found"));  // the first restart is immediate
    BOOST_TEST(metric(lojald.port, "lojal_camera_decoder_restarts_total") == 1);
    BOOST_TEST(lojald.process->pid() == lojaldPid);
    BOOST_TEST(!lojald.process->waitForExit(0ms).has_value());

    // Two more crashes within the minute: the camera is degraded, and says so.
    for (int crash = 0; crash < 2; ++crash) {
        // After a failure the decoder comes back with backoff: frames meanwhile
        // are answered decoder_restarting. Send until one reaches the decoder.
        for (int attempt = 0; attempt < 200; ++attempt) {
            camera.send(blankFrame(kAbortHook));
            if (parse(camera.next())->getValue<std::string>("error") == "decoder_restarted") break;
            events.next(20ms);  // pace the attempts by the event stream, not a sleep
        }
    }
    BOOST_TEST(
        !events.waitFor({"\"type\":\"device\"", "\"device\":\"camera\"", "\"state\":\"degraded\""})
             .empty());
    const auto devices = httpRequest(lojald.port, "GET", "/v1/devices", kKioskToken).body;
    BOOST_TEST(devices.find("\"state\":\"degraded\"") != std::string::npos);
    BOOST_TEST(metric(lojald.port, "lojal_camera_degraded") == 1);
    BOOST_TEST(metric(lojald.port, "lojal_camera_decoder_restarts_total") == 3);
}

BOOST_AUTO_TEST_CASE(only_kiosk_and_admin_tokens_open_the_camera_and_idle_sockets_hold_no_thread) {
    RunningLojald lojald(cameraConfig());
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/camera", kPosToken).status == 403);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/camera").status == 401);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/camera", kKioskToken).status ==
               400);  // no upgrade
    // Four idle cameras (the per-token limit) on a daemon: the API still answers.
    std::vector<std::unique_ptr<CameraClient>> idle;
    for (int i = 0; i < 4; ++i)
        idle.push_back(std::make_unique<CameraClient>(lojald.port, kKioskToken));
    BOOST_CHECK_THROW(CameraClient(lojald.port, kKioskToken), Poco::Net::WebSocketException);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/devices", kKioskToken).status == 200);
    BOOST_TEST(metric(lojald.port, "lojal_camera_streams") == 4);

    RunningLojald off("[camera]\nenabled = off\n");
    BOOST_TEST(httpRequest(off.port, "GET", "/v1/camera", kKioskToken).status == 503);
    BOOST_TEST(httpRequest(off.port, "GET", "/v1/devices", kKioskToken).body.find("camera") ==
               std::string::npos);
}
