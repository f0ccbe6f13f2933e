#include "serial/SerialPort.h"

// The settings' text forms, shared by the POSIX (SerialPort.cpp) and Windows
// (SerialPortWin.cpp) backends.

namespace lojal::hal {

std::string SerialSettings::describe() const {
    static const char parityLetters[] = {'N', 'O', 'E', 'M', 'S'};
    return std::to_string(baud) + " " + std::to_string(dataBits) +
           parityLetters[static_cast<int>(parity)] + std::to_string(stopBits);
}

Result<Parity> parseParity(const std::string& text) {
    if (text == "none") return Parity::none;
    if (text == "odd") return Parity::odd;
    if (text == "even") return Parity::even;
    if (text == "mark") return Parity::mark;
    if (text == "space") return Parity::space;
    return Error{ErrorCode::arg, "expected none, odd, even, mark or space"};
}

Result<FlowControl> parseFlowControl(const std::string& text) {
    if (text == "none") return FlowControl::none;
    if (text == "xonxoff") return FlowControl::xonxoff;
    if (text == "rtscts") return FlowControl::rtscts;
    if (text == "dtrdsr") return FlowControl::dtrdsr;
    return Error{ErrorCode::arg, "expected none, xonxoff, rtscts or dtrdsr"};
}

namespace {

// Four hex digits after `key` ("VID_"), or -1.
int hexAfter(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    if (at == std::string::npos || at + key.size() + 4 > text.size()) return -1;
    int value = 0;
    for (size_t i = at + key.size(); i < at + key.size() + 4; ++i) {
        const char c = text[i];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                 : -1;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

}  // namespace

UsbIds parseWindowsInstanceId(const std::string& instanceId) {
    UsbIds ids;
    ids.vendorId = hexAfter(instanceId, "VID_");
    ids.productId = hexAfter(instanceId, "PID_");
    if (ids.vendorId < 0 || ids.productId < 0) return UsbIds{};
    // USB\VID_x&PID_y\SERIAL: the last part, unless Windows made it up (it
    // then holds '&': a device without a serial number gets "5&2a3c...&0&1").
    if (instanceId.rfind("USB\\", 0) == 0) {
        const std::string last = instanceId.substr(instanceId.rfind('\\') + 1);
        if (last.find('&') == std::string::npos) ids.serialNumber = last;
    } else if (const auto plus = instanceId.find('+', instanceId.find("PID_"));
               plus != std::string::npos) {
        // FTDI's own driver: FTDIBUS\VID_x+PID_y+SERIALA\0000 (A: the port of the chip).
        std::string serial = instanceId.substr(plus + 1, instanceId.find('\\', plus) - plus - 1);
        if (serial.size() > 1 && serial.back() >= 'A' && serial.back() <= 'D') serial.pop_back();
        ids.serialNumber = serial;
    }
    return ids;
}

}  // namespace lojal::hal
