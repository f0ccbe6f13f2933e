#define BOOST_TEST_MODULE api_scanner
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "LojaldProcess.h"
#include "barcode/MemberToken.h"

using namespace lojal::test;

namespace {

const char* kQrKey = "store-member-qr-key-0123";

std::string deviceConfig(const std::string& port, const std::string& extra = "") {
    return "[device.scanner-1]\ndriver = serial-scanner\nport = " + port +
           "\nbaud = 115200\nsuffix = cr\ndedup_window_ms = 300\n" + extra +
           "[scanning]\nmember_card_ranges = 2990000000000-2990999999999\nmember_qr_key = " +
           kQrKey + "\n";
}

// A daemon with one scanner on a simulated pty, plugged in and ready.
struct ScannerRig {
    TempDir simDir;
    ScannerSim sim{simDir.file("scanner")};
    std::string plugged = sim.command("plug");
    RunningLojald lojald{deviceConfig(sim.link())};
    EventClient events{lojald.port, kPosToken, "?since=0"};

    ScannerRig() {
        BOOST_REQUIRE(plugged.rfind("ok plugged", 0) == 0);
        BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"ready\""}).empty());
    }
    std::string scan(const std::string& text) {
        BOOST_REQUIRE(sim.command("scan " + text).rfind("ok", 0) == 0);
        return events.waitFor({"\"type\":\"scan\""});
    }
};

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(scanner, ScannerRig)

BOOST_AUTO_TEST_CASE(a_scan_reaches_the_websocket_decoded) {
    const auto message = scan("]E04006381333931");
    BOOST_REQUIRE(!message.empty());
    const auto event = parse(message);
    BOOST_TEST(event->getValue<std::string>("device") == "scanner-1");
    BOOST_TEST(event->getValue<uint64_t>("seq") > 0u);
    BOOST_TEST(!event->getValue<std::string>("time").empty());
    const auto data = event->getObject("data");
    BOOST_TEST(data->getValue<std::string>("label") == "4006381333931");
    BOOST_TEST(data->getValue<std::string>("aim") == "]E0");
    BOOST_TEST(data->getValue<std::string>("symbology") == "EAN-13");
    BOOST_TEST(data->getValue<int>("scan_data_type") == 104);
    BOOST_TEST(data->getValue<std::string>("kind") == "product");
    BOOST_TEST(data->getValue<bool>("valid"));
    BOOST_TEST(data->getValue<std::string>("gtin") == "04006381333931");
    BOOST_TEST(data->getValue<std::string>("raw_hex") == "5d453034303036333831333333393331");
}

BOOST_AUTO_TEST_CASE(member_card_and_member_qr_are_recognised) {
    const auto card = parse(scan("2990000012340"))->getObject("data");
    BOOST_TEST(card->getValue<std::string>("kind") == "member_card");
    BOOST_TEST(card->getValue<bool>("valid"));

    const int64_t inOneHour = static_cast<int64_t>(time(nullptr)) + 3600;
    const std::string token = lojal::barcode::signMemberToken({"M-42", inOneHour}, kQrKey);
    const auto qr = parse(scan("]Q1" + token))->getObject("data");
    BOOST_TEST(qr->getValue<std::string>("kind") == "member_qr");
    BOOST_TEST(qr->getValue<std::string>("member_id") == "M-42");

    const std::string forged =
        lojal::barcode::signMemberToken({"M-42", inOneHour}, "not-the-store-key");
    const auto bad = parse(scan("]Q1" + forged))->getObject("data");
    BOOST_TEST(!bad->getValue<bool>("valid"));
    BOOST_TEST(bad->getValue<std::string>("reason") == "member token: bad signature");
}

BOOST_AUTO_TEST_CASE(duplicates_are_dropped_and_counted) {
    BOOST_REQUIRE(!scan("73513537").empty());
    BOOST_REQUIRE(sim.command("scan 73513537").rfind("ok", 0) == 0);  // within 300 ms: dropped
    const auto next = scan("4006381333931");
    BOOST_TEST(next.find("4006381333931") != std::string::npos, next);  // not the repeat
    const auto metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken).body;
    BOOST_TEST(metrics.find(
                   "lojal_device_events_total{device=\"scanner-1\",outcome=\"duplicates\"} 1\n") !=
                   std::string::npos,
               metrics);
}

BOOST_AUTO_TEST_CASE(noise_and_floods_never_stop_the_reader) {
    // Binary garbage with a CR in it: an invalid scan, not a crash.
    BOOST_REQUIRE(sim.command("send 00ff13fe800d").rfind("ok", 0) == 0);
    const auto noise = parse(events.waitFor({"\"type\":\"scan\""}))->getObject("data");
    BOOST_TEST(!noise->getValue<bool>("valid"));
    BOOST_TEST(noise->getValue<std::string>("reason").find("control bytes") != std::string::npos);
    // 64 KiB without a suffix: dropped and counted, and the next scan still comes through.
    BOOST_REQUIRE(sim.command("send " + std::string(64 * 1024 * 2, '4')).rfind("ok", 0) == 0);
    BOOST_REQUIRE(sim.command("send 0d").rfind("ok", 0) == 0);
    const auto after = scan("]E04006381333931");
    BOOST_TEST(after.find("\"label\":\"4006381333931\"") != std::string::npos, after);
    const auto metrics = httpRequest(lojald.port, "GET", "/metrics", kAdminToken).body;
    BOOST_TEST(metrics.find("outcome=\"overflows\"} 1\n") != std::string::npos, metrics);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(unplug_shows_absent_and_replug_reads_again) {
    BOOST_REQUIRE(sim.command("unplug") == "ok unplugged");
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"absent\""}).empty());
    const auto devices = httpRequest(lojald.port, "GET", "/v1/devices", kKioskToken);
    BOOST_TEST(devices.status == 200);
    BOOST_TEST(devices.body.find("\"state\":\"absent\"") != std::string::npos, devices.body);

    BOOST_REQUIRE(sim.command("plug").rfind("ok plugged", 0) == 0);
    BOOST_REQUIRE(!events.waitFor({"\"type\":\"device\"", "\"state\":\"ready\""}, 5s).empty());
    const auto again = scan("]E473513537");
    BOOST_TEST(again.find("\"symbology\":\"EAN-8\"") != std::string::npos, again);
}

BOOST_AUTO_TEST_CASE(reconnecting_with_since_gets_what_was_missed) {
    const auto first = parse(scan("73513537"));
    const uint64_t seen = first->getValue<uint64_t>("seq");
    BOOST_REQUIRE(!scan("4006381333931").empty());
    BOOST_REQUIRE(!scan("]E0036000291452").empty());
    EventClient late(lojald.port, kKioskToken, "?since=" + std::to_string(seen));
    const auto missed1 = parse(late.next());
    const auto missed2 = parse(late.next());
    BOOST_TEST(missed1->getValue<uint64_t>("seq") == seen + 1);
    BOOST_TEST(missed2->getValue<uint64_t>("seq") == seen + 2);
    BOOST_TEST(missed2->getObject("data")->getValue<std::string>("symbology") == "UPC-A");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_port_that_cannot_be_opened_gives_an_error_state_with_the_reason) {
    TempDir dir;
    dir.write("not-a-tty", "plain file");
    RunningLojald lojald(deviceConfig(dir.file("not-a-tty")));
    EventClient events(lojald.port, kAdminToken, "?since=0");
    const auto state = events.waitFor({"\"type\":\"device\"", "\"state\":\"error\""});
    BOOST_REQUIRE(!state.empty());
    BOOST_TEST(parse(state)->getObject("data")->getValue<std::string>("reason").find("open") !=
               std::string::npos);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
}

BOOST_AUTO_TEST_CASE(ring_overflow_is_announced_as_a_gap) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok", 0) == 0);
    RunningLojald lojald(deviceConfig(sim.link(), "") + "[events]\nring_size = 16\n");
    EventClient watcher(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!watcher.waitFor({"\"state\":\"ready\""}).empty());
    std::string lastLabel;
    for (int i = 0; i < 40; ++i) {
        lastLabel = "CODE" + std::to_string(i);
        BOOST_REQUIRE(sim.command("scan " + lastLabel).rfind("ok", 0) == 0);
    }
    BOOST_REQUIRE(!watcher.waitFor({"\"label\":\"" + lastLabel + "\""}).empty());
    EventClient late(lojald.port, kPosToken, "?since=1");
    const auto gap = parse(late.next());
    BOOST_TEST(gap->getValue<std::string>("type") == "gap");
    BOOST_TEST(gap->getObject("data")->getValue<uint64_t>("missed") > 0u);
    BOOST_TEST(gap->getObject("data")->getValue<int>("ring_size") == 16);
}

BOOST_AUTO_TEST_CASE(events_need_a_token_and_accept_it_in_the_query_for_browsers) {
    RunningLojald lojald;
    const auto refused =
        rawExchange(lojald.port,
                    "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: "
                    "websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    BOOST_TEST(rawStatus(refused) == 401);
    EventClient browser(lojald.port, "", std::string("?access_token=") + kKioskToken);
    const auto plain = httpRequest(lojald.port, "GET", "/v1/events", kPosToken);
    BOOST_TEST(plain.status == 400);
    BOOST_TEST(errorCode(plain.body) == "websocket_required");
    const auto badSince = rawExchange(
        lojald.port, "GET /v1/events?since=abc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         std::string(kPosToken) + "\r\nConnection: close\r\n\r\n");
    BOOST_TEST(rawStatus(badSince) == 400);
}

BOOST_AUTO_TEST_CASE(bytes_sent_before_the_port_was_opened_are_discarded) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok", 0) == 0);
    BOOST_REQUIRE(sim.command("scan STALE").rfind("ok", 0) == 0);  // nobody is reading yet
    RunningLojald lojald(deviceConfig(sim.link()));
    EventClient events(lojald.port, kPosToken, "?since=0");
    BOOST_REQUIRE(!events.waitFor({"\"state\":\"ready\""}).empty());
    BOOST_REQUIRE(sim.command("scan FRESH").rfind("ok", 0) == 0);
    const auto first = events.waitFor({"\"type\":\"scan\""});
    BOOST_TEST(first.find("\"label\":\"FRESH\"") != std::string::npos, first);
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_slows_no_one) {
    TempDir simDir;
    ScannerSim sim(simDir.file("scanner"));
    BOOST_REQUIRE(sim.command("plug").rfind("ok", 0) == 0);
    RunningLojald lojald(deviceConfig(sim.link()) + "[events]\nring_size = 100000\n");
    EventClient stalled(lojald.port, kPosToken);  // connects, then never reads again
    EventClient reader(lojald.port, kKioskToken, "?since=0");
    BOOST_REQUIRE(!reader.waitFor({"\"state\":\"ready\""}).empty());
    // ~3,000 events of ~6 KB: far more than the socket buffers of the stalled client hold.
    const std::string padding(2000, 'P');
    constexpr int kScans = 3000;
    int received = 0;
    for (int i = 0; i < kScans; ++i) {
        BOOST_REQUIRE(sim.command("scan " + std::to_string(i) + padding).rfind("ok", 0) == 0);
        if (!reader.waitFor({"\"label\":\"" + std::to_string(i) + "PPP"}, 10s).empty()) ++received;
    }
    BOOST_TEST(received == kScans);
    BOOST_TEST(httpRequest(lojald.port, "GET", "/v1/health").status == 200);
    BOOST_TEST(lojald.process->waitForOutput("events: register-1 dropped"),
               "the stalled client was not dropped");
}
