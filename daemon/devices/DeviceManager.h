#pragma once
// Runs every configured device: one reader thread per port, so a hung or absent
// port never delays another. Each thread opens its port, feeds the driver, and on
// failure reports the state, backs off and reopens. Nothing here exits the daemon.

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/Config.h"
#include "drivers/Driver.h"
#include "events/EventRing.h"
#include "metrics/Metrics.h"

namespace lojal {

enum class DeviceState { absent, connecting, ready, error };
const char* toString(DeviceState state);

class DeviceWorker;

class DeviceManager {
  public:
    // Builds every device's driver; fails naming the config key of a bad option
    // or an unknown driver (checked by --check-config too).
    static Result<std::unique_ptr<DeviceManager>> create(const Config& config, EventRing& events);
    ~DeviceManager();

    void start();
    void stop();
    Poco::JSON::Array snapshot() const;  // for GET /v1/devices
    std::vector<Gauge> gauges() const;   // per-device counters for /metrics
    struct Status {
        std::string name;
        DeviceState state = DeviceState::absent;
        int64_t sinceMs = 0;  // Unix ms of the last change of state
        std::string reason;
    };
    std::vector<Status> statuses() const;  // for the alert rules
    // Runs a driver command on the device's thread (see hal::Driver::command).
    // notFound: no such device with that driver; io: not connected; timeout: the
    // device thread did not take it; else the driver's error.
    Result<Poco::JSON::Object> command(const std::string& device, const std::string& driver,
                                       const std::string& name, const Poco::JSON::Object& args);
    // Card token -> member, for drivers that identify cards; call before start().
    void setMemberFinder(hal::MemberFinder finder);

  private:
    DeviceManager() = default;
    std::vector<std::unique_ptr<DeviceWorker>> workers_;
    std::shared_ptr<hal::MemberFinder> findMember_ = std::make_shared<hal::MemberFinder>();
};

}  // namespace lojal
