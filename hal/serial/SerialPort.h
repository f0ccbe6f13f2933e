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

// Ports the system reports (libserialport's enumeration).
Result<std::vector<PortInfo>> listPorts();

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
