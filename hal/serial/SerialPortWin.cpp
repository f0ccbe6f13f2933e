// The serial layer on Windows, behind the same interface as SerialPort.cpp
// (libserialport has no Debian source to build it from): CreateFile on
// \\.\COMn, the settings in a DCB, reads and writes bounded by COMMTIMEOUTS, and
// the ports from SetupAPI (with their USB VID:PID and serial number, so
// [device.*] usb_id works as on Linux) plus the registry's SERIALCOMM list.
#include <windows.h>
// windows.h first: the SetupAPI headers need its types.
#include <devguid.h>
#include <setupapi.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "serial/SerialPort.h"

namespace lojal::hal {
namespace {

ErrorCode codeFor(DWORD error) {
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
        error == ERROR_DEV_NOT_EXIST)
        return ErrorCode::notFound;
    if (error == ERROR_ACCESS_DENIED) return ErrorCode::permission;
    return ErrorCode::io;
}

// The system's message for GetLastError(), read at once on this thread.
Error windowsError(const std::string& what) {
    const DWORD error = GetLastError();
    char* text = nullptr;
    FormatMessageA(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, error, 0, reinterpret_cast<char*>(&text), 0, nullptr);
    std::string message = text ? text : "error " + std::to_string(error);
    if (text) LocalFree(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
        message.pop_back();
    const ErrorCode code = codeFor(error);
    if (code == ErrorCode::permission) message += " (is another program using the port?)";
    return Error{code, what + ": " + message};
}

// COM10 and above exist only in the device namespace; COM1-9 work there too.
std::string devicePath(const std::string& name) {
    return name.rfind("\\\\.\\", 0) == 0 ? name : "\\\\.\\" + name;
}

DWORD millis(std::chrono::milliseconds timeout) {
    return static_cast<DWORD>(std::clamp<int64_t>(timeout.count(), 1, MAXDWORD - 1));
}

Status applySettings(HANDLE handle, const SerialSettings& settings) {
    DCB dcb{};
    dcb.DCBlength = sizeof dcb;
    if (!GetCommState(handle, &dcb)) return windowsError("read the port's settings");
    static const BYTE parities[] = {NOPARITY, ODDPARITY, EVENPARITY, MARKPARITY, SPACEPARITY};
    dcb.BaudRate = static_cast<DWORD>(settings.baud);
    dcb.ByteSize = static_cast<BYTE>(settings.dataBits);
    dcb.Parity = parities[static_cast<int>(settings.parity)];
    dcb.fParity = settings.parity != Parity::none;
    dcb.StopBits = settings.stopBits == 2 ? TWOSTOPBITS : ONESTOPBIT;
    dcb.fBinary = TRUE;
    dcb.fOutxCtsFlow = settings.flowControl == FlowControl::rtscts;
    dcb.fRtsControl =
        settings.flowControl == FlowControl::rtscts ? RTS_CONTROL_HANDSHAKE : RTS_CONTROL_ENABLE;
    dcb.fOutxDsrFlow = settings.flowControl == FlowControl::dtrdsr;
    dcb.fDtrControl =
        settings.flowControl == FlowControl::dtrdsr ? DTR_CONTROL_HANDSHAKE : DTR_CONTROL_ENABLE;
    dcb.fOutX = dcb.fInX = settings.flowControl == FlowControl::xonxoff;
    if (!SetCommState(handle, &dcb)) return windowsError("set " + settings.describe());
    return okStatus();
}

class WinSerialPort : public SerialPort {
  public:
    explicit WinSerialPort(HANDLE handle) : handle_(handle) {}
    ~WinSerialPort() override { CloseHandle(handle_); }

    // Returns as soon as a byte is there, or after the timeout with 0
    // (COMMTIMEOUTS: MAXDWORD, MAXDWORD and a total constant).
    Result<size_t> read(uint8_t* buffer, size_t capacity,
                        std::chrono::milliseconds timeout) override {
        COMMTIMEOUTS timeouts = timeouts_;
        timeouts.ReadIntervalTimeout = MAXDWORD;
        timeouts.ReadTotalTimeoutMultiplier = MAXDWORD;
        timeouts.ReadTotalTimeoutConstant = millis(timeout);
        if (!useTimeouts(timeouts)) return windowsError("set read timeouts");
        DWORD got = 0;
        const DWORD wanted = static_cast<DWORD>(std::min<size_t>(capacity, MAXDWORD));
        if (!ReadFile(handle_, buffer, wanted, &got, nullptr)) return windowsError("read");
        return static_cast<size_t>(got);
    }

    Result<size_t> write(const uint8_t* data, size_t size,
                         std::chrono::milliseconds timeout) override {
        COMMTIMEOUTS timeouts = timeouts_;
        timeouts.WriteTotalTimeoutMultiplier = 0;
        timeouts.WriteTotalTimeoutConstant = millis(timeout);
        if (!useTimeouts(timeouts)) return windowsError("set write timeouts");
        DWORD written = 0;
        const DWORD count = static_cast<DWORD>(std::min<size_t>(size, MAXDWORD));
        if (!WriteFile(handle_, data, count, &written, nullptr)) return windowsError("write");
        return static_cast<size_t>(written);
    }

    Status flushInput() override {
        if (!PurgeComm(handle_, PURGE_RXCLEAR | PURGE_RXABORT))
            return windowsError("discard input");
        return okStatus();
    }

    std::string backend() const override { return "win32"; }

  private:
    // Sets the port's timeouts only when they change: a driver reads with the
    // same timeout on every tick, and the read and write halves are separate
    // fields, so a steady device makes no SetCommTimeouts call at all.
    bool useTimeouts(const COMMTIMEOUTS& wanted) {
        if (timeoutsSet_ && std::memcmp(&wanted, &timeouts_, sizeof wanted) == 0) return true;
        timeoutsSet_ = SetCommTimeouts(handle_, const_cast<COMMTIMEOUTS*>(&wanted)) != 0;
        if (timeoutsSet_) timeouts_ = wanted;
        return timeoutsSet_;
    }

    HANDLE handle_;
    COMMTIMEOUTS timeouts_{};   // what the port has when timeoutsSet_
    bool timeoutsSet_ = false;  // false also after a failed call: set again next time
};

std::string registryText(HKEY key, const char* name) {
    char value[256];
    DWORD size = sizeof value - 1;
    DWORD type = 0;
    if (RegQueryValueExA(key, name, nullptr, &type, reinterpret_cast<BYTE*>(value), &size) !=
            ERROR_SUCCESS ||
        type != REG_SZ)
        return "";
    value[std::min<DWORD>(size, sizeof value - 1)] = '\0';
    return value;
}

// SetupAPI's Ports class: each port's name, description and instance id.
void addSetupApiPorts(std::vector<PortInfo>& ports) {
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_PORTS, nullptr, nullptr, DIGCF_PRESENT);
    if (set == INVALID_HANDLE_VALUE) return;
    SP_DEVINFO_DATA device{};
    device.cbSize = sizeof device;
    for (DWORD index = 0; SetupDiEnumDeviceInfo(set, index, &device); ++index) {
        HKEY key = SetupDiOpenDevRegKey(set, &device, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
        if (key == INVALID_HANDLE_VALUE) continue;
        PortInfo port;
        port.name = registryText(key, "PortName");
        RegCloseKey(key);
        if (port.name.rfind("COM", 0) != 0) continue;  // LPT and others
        char text[512] = {};
        if (SetupDiGetDeviceRegistryPropertyA(set, &device, SPDRP_FRIENDLYNAME, nullptr,
                                              reinterpret_cast<BYTE*>(text), sizeof text - 1,
                                              nullptr))
            port.description = text;
        char instance[512] = {};
        if (SetupDiGetDeviceInstanceIdA(set, &device, instance, sizeof instance - 1, nullptr)) {
            const UsbIds ids = parseWindowsInstanceId(instance);
            port.transport = ids.vendorId >= 0 ? "usb" : "native";
            port.usbVendorId = ids.vendorId;
            port.usbProductId = ids.productId;
            port.serialNumber = ids.serialNumber;
        } else {
            port.transport = "native";
        }
        ports.push_back(port);
    }
    SetupDiDestroyDeviceInfoList(set);
}

// HKLM\HARDWARE\DEVICEMAP\SERIALCOMM: every COM port the system has, also those
// no Ports-class driver reports (and wine's).
void addSerialCommPorts(std::vector<PortInfo>& ports) {
    HKEY key = nullptr;
    if (RegOpenKeyExA(HKEY_LOCAL_MACHINE, "HARDWARE\\DEVICEMAP\\SERIALCOMM", 0, KEY_READ, &key) !=
        ERROR_SUCCESS)
        return;
    for (DWORD index = 0;; ++index) {
        char name[256];
        DWORD nameSize = sizeof name;
        char value[256];
        DWORD valueSize = sizeof value - 1;
        DWORD type = 0;
        if (RegEnumValueA(key, index, name, &nameSize, nullptr, &type,
                          reinterpret_cast<BYTE*>(value), &valueSize) != ERROR_SUCCESS)
            break;
        if (type != REG_SZ) continue;
        value[std::min<DWORD>(valueSize, sizeof value - 1)] = '\0';
        const std::string port = value;
        const bool known = std::any_of(ports.begin(), ports.end(),
                                       [&](const PortInfo& p) { return p.name == port; });
        if (!known && port.rfind("COM", 0) == 0)
            ports.push_back({port, name, "native", -1, -1, ""});
    }
    RegCloseKey(key);
}

}  // namespace

Result<std::unique_ptr<SerialPort>> SerialPort::open(const std::string& path,
                                                     const SerialSettings& settings) {
    HANDLE handle = CreateFileA(devicePath(path).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                OPEN_EXISTING, 0, nullptr);
    if (handle == INVALID_HANDLE_VALUE) return windowsError("open " + path);
    auto port = std::make_unique<WinSerialPort>(handle);
    if (auto applied = applySettings(handle, settings); !applied) return applied.error();
    if (auto flushed = port->flushInput(); !flushed) return flushed.error();
    return std::unique_ptr<SerialPort>(std::move(port));
}

bool portPresent(const std::string& path) {
    const std::string name = path.rfind("\\\\.\\", 0) == 0 ? path.substr(4) : path;
    char target[512];
    return ::QueryDosDeviceA(name.c_str(), target, sizeof target) != 0;
}

Result<std::vector<PortInfo>> listPorts() {
    std::vector<PortInfo> ports;
    addSetupApiPorts(ports);
    addSerialCommPorts(ports);
    std::sort(ports.begin(), ports.end(),
              [](const PortInfo& a, const PortInfo& b) { return a.name < b.name; });
    return ports;
}

}  // namespace lojal::hal
