#pragma once
// The driver contract. A driver turns a port's bytes into events; the device
// manager owns the port, the thread and the reconnects. All state lives in the
// driver object (no mutable statics), so two scanners never share a buffer.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "barcode/Scan.h"
#include "core/Result.h"
#include "serial/SerialPort.h"

namespace lojal::hal {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

// Where a driver sends what it found.
class EventSink {
  public:
    virtual ~EventSink() = default;
    virtual void publish(const std::string& type, const Poco::JSON::Object& data) = 0;
    // Counts something dropped or refused ("duplicates", "overflows", ...), for /metrics.
    virtual void count(const std::string& counter) = 0;
};

// The open port, for drivers that talk back (card terminals). Only valid on
// the device thread, between onOpen and the next failure.
class PortWriter {
  public:
    virtual ~PortWriter() = default;
    virtual Status write(const uint8_t* data, size_t size) = 0;
    // What carries the bytes: some protocols frame a serial link and not a stream.
    virtual PortKind kind() const = 0;
    // Close the port once the driver returns and open it again (a TCP stream
    // that is out of step is started afresh); a no-op for serial ports.
    virtual void reconnect() = 0;
};

class Driver {
  public:
    virtual ~Driver() = default;
    virtual void onBytes(std::string_view bytes, TimePoint now, EventSink& sink) = 0;
    // Called at least every tickInterval(), with or without bytes (timeouts).
    virtual void onTick(TimePoint, EventSink&) {}
    virtual std::chrono::milliseconds tickInterval() const {
        return std::chrono::milliseconds(100);
    }
    // The port was (re)opened: forget any half-received frame. port stays valid
    // until the next onOpen or onClose.
    virtual void onOpen() {}
    virtual void onOpen(PortWriter&, TimePoint, EventSink&) { onOpen(); }
    virtual void onClose(TimePoint, EventSink&) {}
    // A request from the API (start a flow, abort), run on the device thread.
    // Errors: busy (one flow at a time), arg (bad arguments), unsupported.
    virtual Result<Poco::JSON::Object> command(const std::string& name,
                                               const Poco::JSON::Object& args, TimePoint,
                                               EventSink&) {
        (void)args;
        return Error{ErrorCode::unsupported, "this device takes no command '" + name + "'"};
    }
};

using DriverOptions = std::map<std::string, std::string>;

// Finds the member of a card token (member cache, or the CRM); set once lojald
// has its member service. Returns an empty object when none is known.
using MemberFinder = std::function<Poco::JSON::Object(const std::string& cardToken)>;

struct DriverContext {
    barcode::ClassifierConfig classifier;
    std::function<int64_t()> unixNow;          // wall clock, injected for token expiry
    std::shared_ptr<MemberFinder> findMember;  // may hold an empty function
    uint16_t currencyNumeric = 0;              // the store's currency, ISO 4217 numeric
};

struct DriverEntry {
    const char* name;
    const char* description;
    // Validates options (the error names the option) and builds a driver.
    std::function<Result<std::unique_ptr<Driver>>(const DriverOptions&, const DriverContext&)>
        create;
    // The line settings the device speaks unless its config section says otherwise.
    SerialSettings serialDefaults = {};
    // Options that are secrets: never shown by /v1/config.
    std::vector<std::string> secretOptions = {};
};

// Every driver, registered here by name: adding one is its folder plus one line.
const std::vector<DriverEntry>& driverTable();
const DriverEntry* findDriver(const std::string& name);

}  // namespace lojal::hal
