#define BOOST_TEST_MODULE api_startup_failures
#include <boost/test/unit_test.hpp>

#include <Poco/Net/ServerSocket.h>

#include <fstream>

#include "LojaldProcess.h"
#include "core/Version.h"

using namespace lojal::test;

namespace {

constexpr int kExitConfig = 78;  // EX_CONFIG
constexpr int kExitIoErr = 74;   // EX_IOERR
constexpr int kExitOsErr = 71;   // EX_OSERR

struct Outcome {
    int status;
    std::string output;
};

Outcome runToExit(const std::vector<std::string>& args, const TempDir& dir) {
    LojaldProcess lojald(args, dir.path());
    const auto status = lojald.waitForExit(10s);
    BOOST_REQUIRE_MESSAGE(status.has_value(), "lojald kept running:\n" + lojald.output());
    return {*status, lojald.output()};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(unknown_key_stops_start_up_naming_key_and_file) {
    TempDir dir;
    const auto config = writeTestConfig(dir, freePort(), "[server]\nthreadz = 8\n");
    const auto outcome = runToExit({"--config", config}, dir);
    BOOST_TEST(outcome.status == kExitConfig);
    BOOST_TEST(contains(outcome.output, config), outcome.output);
    BOOST_TEST(contains(outcome.output, "key 'server.threadz': unknown key"), outcome.output);
}

BOOST_AUTO_TEST_CASE(invalid_value_stops_start_up_naming_key_and_file) {
    TempDir dir;
    const auto config = writeTestConfig(dir, freePort(), "[log]\ntarget = printer\n");
    const auto outcome = runToExit({"--config", config}, dir);
    BOOST_TEST(outcome.status == kExitConfig);
    BOOST_TEST(contains(outcome.output, config + " line"), outcome.output);
    BOOST_TEST(contains(outcome.output, "key 'log.target': invalid value 'printer'"),
               outcome.output);
}

BOOST_AUTO_TEST_CASE(missing_config_file_is_a_config_error) {
    TempDir dir;
    const auto outcome = runToExit({"--config", dir.file("absent.ini")}, dir);
    BOOST_TEST(outcome.status == kExitConfig);
    BOOST_TEST(contains(outcome.output, dir.file("absent.ini") + ": cannot open config file"));
}

BOOST_AUTO_TEST_CASE(check_config_validates_without_starting) {
    TempDir dir;
    const auto good = writeTestConfig(dir, freePort());
    const auto ok = runToExit({"--config", good, "--check-config"}, dir);
    BOOST_TEST(ok.status == 0);
    BOOST_TEST(contains(ok.output, "configuration OK"));
    dir.write("bad.ini", "[server]\nlisten = nowhere\n");
    const auto bad = runToExit({"--config", dir.file("bad.ini"), "--check-config"}, dir);
    BOOST_TEST(bad.status == kExitConfig);
}

BOOST_AUTO_TEST_CASE(corrupt_database_stops_start_up) {
    TempDir dir;
    std::ofstream(dir.file("lojal.db")) << std::string(10000, '#');
    const auto outcome = runToExit({"--config", writeTestConfig(dir, freePort())}, dir);
    BOOST_TEST(outcome.status == kExitIoErr);
    BOOST_TEST(contains(outcome.output, "database " + dir.file("lojal.db")), outcome.output);
    BOOST_TEST(contains(outcome.output, "not a database"), outcome.output);
}

BOOST_AUTO_TEST_CASE(unwritable_database_location_stops_start_up) {
    TempDir dir;
    dir.write("blocker", "a file where a directory should be");
    const auto config = writeTestConfig(dir, freePort());
    std::ifstream in(config);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find(dir.file("lojal.db")), dir.file("lojal.db").size(),
                 dir.file("blocker/lojal.db"));
    dir.write("lojald.ini", text);
    const auto outcome = runToExit({"--config", config}, dir);
    BOOST_TEST(outcome.status == kExitIoErr);
    BOOST_TEST(contains(outcome.output, "cannot create"), outcome.output);
}

BOOST_AUTO_TEST_CASE(port_in_use_stops_start_up) {
    TempDir dir;
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    const int port = taken.address().port();
    const auto outcome = runToExit({"--config", writeTestConfig(dir, port)}, dir);
    BOOST_TEST(outcome.status == kExitOsErr);
    BOOST_TEST(contains(outcome.output, "cannot listen on 127.0.0.1:" + std::to_string(port)),
               outcome.output);
}

BOOST_AUTO_TEST_CASE(unwritable_log_file_stops_start_up) {
    TempDir dir;
    dir.write("blocker", "x");
    const auto config = writeTestConfig(
        dir, freePort(), "[log]\ntarget = file\nfile = " + dir.file("blocker/lojald.log") + "\n");
    // [log] appears twice in the file: level from the first, target and file here.
    const auto outcome = runToExit({"--config", config}, dir);
    BOOST_TEST(outcome.status == kExitConfig);
    BOOST_TEST(contains(outcome.output, "cannot set up logging"), outcome.output);
}

BOOST_AUTO_TEST_CASE(unknown_option_and_version) {
    TempDir dir;
    const auto unknown = runToExit({"--frobnicate"}, dir);
    BOOST_TEST(unknown.status != 0);
    BOOST_TEST(contains(unknown.output, "frobnicate"), unknown.output);
    const auto version = runToExit({"--version"}, dir);
    BOOST_TEST(version.status == 0);
    BOOST_TEST(contains(version.output, std::string("lojald ") + lojal::kLojalVersion));
}

BOOST_AUTO_TEST_CASE(device_configuration_errors_name_the_key) {
    TempDir dir;
    const std::pair<std::string, std::string> cases[] = {
        {"[device.s1]\ndriver = teleporter\nport = /dev/ttyUSB0\n",
         "key 'device.s1.driver': unknown driver 'teleporter'"},
        {"[device.s1]\ndriver = serial-scanner\nport = /dev/ttyUSB0\nsuffix = semicolon\n",
         "key 'device.s1.suffix'"},
        {"[device.s1]\ndriver = serial-scanner\nport = /dev/ttyUSB0\nwarp = 9\n",
         "option 'warp': unknown for serial-scanner"},
        {"[device.s1]\ndriver = serial-scanner\nport = /dev/ttyUSB0\nbaud = 12345\n",
         "key 'device.s1.baud'"},
        {"[device.s1]\ndriver = serial-scanner\n", "give either port or usb"},
        {"[device.s1]\ndriver = serial-scanner\nusb = 05e0\n", "key 'device.s1.usb'"},
        {"[scanning]\nmember_card_ranges = 9-1\n", "key 'scanning.member_card_ranges'"},
    };
    for (const auto& [extra, expected] : cases) {
        BOOST_TEST_CONTEXT(extra) {
            const auto outcome = runToExit(
                {"--config", writeTestConfig(dir, freePort(), extra), "--check-config"}, dir);
            BOOST_TEST(outcome.status == kExitConfig);
            BOOST_TEST(contains(outcome.output, expected), outcome.output);
        }
    }
}
