#pragma once
// A device's byte stream, whatever carries it: a serial port (hal/serial) or a
// TCP connection to a device on the store LAN (hal/net). The device manager
// reads and writes through this, so a driver never knows which it has, except
// where the protocol differs by transport (ZVT frames serial links only).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/Result.h"

namespace lojal::hal {

enum class PortKind { serial, tcp };

class Port {
  public:
    virtual ~Port() = default;
    // Bytes read (0 when the timeout passed with nothing to read). Reads never
    // block longer than the timeout, so a reader thread can notice a stop
    // request; a vanished device or a closed connection is an io or notFound error.
    virtual Result<size_t> read(uint8_t* buffer, size_t capacity,
                                std::chrono::milliseconds timeout) = 0;
    virtual Result<size_t> write(const uint8_t* data, size_t size,
                                 std::chrono::milliseconds timeout) = 0;
    virtual Status flushInput() = 0;
    virtual std::string backend() const = 0;  // "libserialport", "pty" or "tcp"
    virtual PortKind kind() const { return PortKind::serial; }
};

}  // namespace lojal::hal
