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

class Driver {
  public:
    virtual ~Driver() = default;
    virtual SerialSettings defaultSettings() const { return {}; }
    virtual void onBytes(std::string_view bytes, TimePoint now, EventSink& sink) = 0;
    // Called at least every tickInterval(), with or without bytes (timeouts).
    virtual void onTick(TimePoint, EventSink&) {}
    virtual std::chrono::milliseconds tickInterval() const {
        return std::chrono::milliseconds(100);
    }
    // The port was (re)opened: forget any half-received frame.
    virtual void onOpen() {}
};

using DriverOptions = std::map<std::string, std::string>;

struct DriverContext {
    barcode::ClassifierConfig classifier;
    std::function<int64_t()> unixNow;  // wall clock, injected for token expiry
};

struct DriverEntry {
    const char* name;
    const char* description;
    // Validates options (the error names the option) and builds a driver.
    std::function<Result<std::unique_ptr<Driver>>(const DriverOptions&, const DriverContext&)>
        create;
};

// Every driver, registered here by name: adding one is its folder plus one line.
const std::vector<DriverEntry>& driverTable();
const DriverEntry* findDriver(const std::string& name);

}  // namespace lojal::hal
