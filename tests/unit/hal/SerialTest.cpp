#define BOOST_TEST_MODULE serial
// The serial layer's pure parts on every platform, and on Windows (under wine,
// make test-windows) the Win32 backend itself: a port that is not there, the
// port list, and, when LOJAL_SERIAL_LOOPBACK names a COM port that wine maps to
// a pty whose other end echoes (packaging/windows/serial-echo.py), bytes both
// ways at 19200 7E1.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include "serial/SerialPort.h"

using namespace lojal::hal;

BOOST_AUTO_TEST_CASE(windows_instance_ids_give_vid_pid_and_serial) {
    auto ids = parseWindowsInstanceId("USB\\VID_0403&PID_6001\\A50285BI");
    BOOST_TEST(ids.vendorId == 0x0403);
    BOOST_TEST(ids.productId == 0x6001);
    BOOST_TEST(ids.serialNumber == "A50285BI");
    ids = parseWindowsInstanceId("USB\\VID_05F9&PID_4204\\5&2A3C4B1&0&2");  // no serial
    BOOST_TEST(ids.vendorId == 0x05F9);
    BOOST_TEST(ids.productId == 0x4204);
    BOOST_TEST(ids.serialNumber.empty());
    ids = parseWindowsInstanceId("FTDIBUS\\VID_0403+PID_6001+A50285BIA\\0000");
    BOOST_TEST(ids.vendorId == 0x0403);
    BOOST_TEST(ids.serialNumber == "A50285BI");
    ids = parseWindowsInstanceId("ACPI\\PNP0501\\1");  // a built-in port
    BOOST_TEST(ids.vendorId == -1);
    BOOST_TEST(ids.productId == -1);
    for (const char* bad : {"USB\\VID_04G3&PID_6001\\X", "USB\\VID_04", "", "VID_0403"})
        BOOST_TEST(parseWindowsInstanceId(bad).vendorId == -1, bad);
}

BOOST_AUTO_TEST_CASE(settings_read_and_describe) {
    SerialSettings settings;
    settings.baud = 19200;
    settings.dataBits = 7;
    settings.parity = *parseParity("even");
    BOOST_TEST(settings.describe() == "19200 7E1");
    BOOST_TEST(!parseParity("evn"));
    BOOST_TEST(!parseFlowControl("cts"));
}

#ifdef _WIN32

BOOST_AUTO_TEST_CASE(a_port_that_is_not_there_is_not_found) {
    const auto port = SerialPort::open("COM250", SerialSettings{});
    BOOST_REQUIRE(!port);
    BOOST_TEST((port.error().code == lojal::ErrorCode::notFound), port.error().message);
    BOOST_TEST(port.error().message.find("open COM250") == 0u, port.error().message);
}

BOOST_AUTO_TEST_CASE(a_port_is_present_only_while_its_device_is) {
    BOOST_TEST(!portPresent("COM250"));
    BOOST_TEST(!portPresent("\\\\.\\COM250"));
    const char* name = std::getenv("LOJAL_SERIAL_LOOPBACK");
    if (!name || !*name) return;  // wine maps it to a pty (make test-windows)
    BOOST_TEST(portPresent(name));
    BOOST_TEST(portPresent(std::string("\\\\.\\") + name));
}

BOOST_AUTO_TEST_CASE(the_port_list_answers) {
    const auto ports = listPorts();
    BOOST_REQUIRE(ports.ok());
    for (const auto& port : *ports) {
        BOOST_TEST_MESSAGE(port.name << " (" << port.transport << ") " << port.description);
        BOOST_TEST(port.name.rfind("COM", 0) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(bytes_go_both_ways_through_a_port) {
    const char* name = std::getenv("LOJAL_SERIAL_LOOPBACK");
    if (!name || !*name) {
        BOOST_TEST_MESSAGE("skipped: no LOJAL_SERIAL_LOOPBACK port");
        return;
    }
    SerialSettings settings;
    settings.baud = 19200;
    settings.dataBits = 7;
    settings.parity = Parity::even;
    auto port = SerialPort::open(name, settings);
    BOOST_REQUIRE_MESSAGE(port.ok(), (port ? "" : port.error().message));
    BOOST_TEST((*port)->backend() == "win32");
    const std::string ping = "ping\n";
    const auto wrote = (*port)->write(reinterpret_cast<const uint8_t*>(ping.data()), ping.size(),
                                      std::chrono::milliseconds(1000));
    BOOST_REQUIRE(wrote.ok());
    BOOST_TEST(*wrote == ping.size());
    std::string answer;
    for (int i = 0; i < 50 && answer.find('\n') == std::string::npos; ++i) {
        uint8_t buffer[64];
        const auto got = (*port)->read(buffer, sizeof buffer, std::chrono::milliseconds(100));
        BOOST_REQUIRE(got.ok());
        answer.append(reinterpret_cast<const char*>(buffer), *got);
    }
    BOOST_TEST(answer == "PING\n");
    // A read with nothing to read returns after its timeout with nothing.
    uint8_t buffer[8];
    const auto idle = (*port)->read(buffer, sizeof buffer, std::chrono::milliseconds(50));
    BOOST_REQUIRE(idle.ok());
    BOOST_TEST(*idle == 0u);
}

#else

BOOST_AUTO_TEST_CASE(a_port_is_present_only_while_its_node_is) {
    BOOST_TEST(portPresent("/dev/null"));
    BOOST_TEST(!portPresent("/dev/lojal-no-such-port"));
}

#endif
