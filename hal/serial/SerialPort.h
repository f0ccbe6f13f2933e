#pragma once
// The serial layer: the only code that includes libserialport.h (see STYLE.md).
// Errors are read right after each failing call, on the same thread, and carried
// out as Result errors with libserialport's (or the OS's) message.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Result.h"
#include "port/Port.h"

namespace lojal::hal {

enum class Parity { none, odd, even, mark, space };
enum class FlowControl { none, xonxoff, rtscts, dtrdsr };

struct SerialSettings {
    int baud = 9600;
    int dataBits = 8;
    Parity parity = Parity::none;
    int stopBits = 1;
    FlowControl flowControl = FlowControl::none;
    std::string describe() const;  // "9600 8N1"
};

Result<Parity> parseParity(const std::string& text);
Result<FlowControl> parseFlowControl(const std::string& text);

struct PortInfo {
    std::string name;         // /dev/ttyUSB0
    std::string description;  // the USB product string, or the kernel name
    std::string transport;    // native, usb, bluetooth
    int usbVendorId = -1;     // -1 when not USB
    int usbProductId = -1;
    std::string serialNumber;
};

// Ports the system reports (libserialport's enumeration; on Windows SetupAPI's
// Ports class and the registry's SERIALCOMM list).
Result<std::vector<PortInfo>> listPorts();

// Whether the port's device is there now (a USB adapter pulled out is not):
// its node exists on Linux; on Windows the name maps to a device
// (QueryDosDevice), as "COM3" and "\\.\COM3" do while the adapter is in.
bool portPresent(const std::string& path);

// A Windows device instance id, e.g. "USB\VID_0403&PID_6001\A50285BI" or
// "FTDIBUS\VID_0403+PID_6001+A50285BIA\0000": its USB vendor and product
// (-1 when it names none) and serial number. Pure (SerialSettings.cpp), so it
// is tested on every platform.
struct UsbIds {
    int vendorId = -1;
    int productId = -1;
    std::string serialNumber;
};
UsbIds parseWindowsInstanceId(const std::string& instanceId);

// An open serial port (see hal/port/Port.h for reads and writes).
class SerialPort : public Port {
  public:
    // Opens path with settings and discards anything already buffered, so stale
    // bytes from before the open are never taken for a scan.
    // ENOENT -> notFound; EACCES -> permission (with a hint about group dialout).
    static Result<std::unique_ptr<SerialPort>> open(const std::string& path,
                                                    const SerialSettings& settings);
};

}  // namespace lojal::hal
