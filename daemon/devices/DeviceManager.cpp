#include "devices/DeviceManager.h"

#include "core/Money.h"
#include "core/Time.h"
#include "net/TcpPort.h"

#include <Poco/Timestamp.h>

#include <chrono>

namespace lojal {

const char* toString(DeviceState state) {
    switch (state) {
        case DeviceState::absent: return "absent";
        case DeviceState::connecting: return "connecting";
        case DeviceState::ready: return "ready";
        case DeviceState::error: return "error";
    }
    return "error";
}

using namespace std::chrono_literals;

// The open port as a driver may write to it.
class PortHandle : public hal::PortWriter {
  public:
    explicit PortHandle(hal::Port& port) : port_(port) {}
    Status write(const uint8_t* data, size_t size) override {
        size_t done = 0;
        while (done < size) {
            auto n = port_.write(data + done, size - done, std::chrono::milliseconds(1000));
            if (!n) return n.error();
            if (*n == 0) return Error{ErrorCode::timeout, "the port takes no more bytes"};
            done += *n;
        }
        return okStatus();
    }
    hal::PortKind kind() const override { return port_.kind(); }
    void reconnect() override {
        if (port_.kind() == hal::PortKind::tcp) reconnectWanted_ = true;
    }
    bool reconnectWanted() const { return reconnectWanted_; }

  private:
    hal::Port& port_;
    bool reconnectWanted_ = false;
};

class DeviceWorker : public hal::EventSink {
  public:
    DeviceWorker(DeviceConfig config, std::unique_ptr<hal::Driver> driver, EventRing& events)
        : config_(std::move(config)),
          driver_(std::move(driver)),
          events_(events),
          log_(Poco::Logger::get("lojal.device." + config_.name)) {}

    ~DeviceWorker() override { stop(); }

    const std::string& name() const { return config_.name; }
    const std::string& driverName() const { return config_.driver; }

    // From an API thread: queued for the device thread, which runs it between
    // reads (within one tick). Fails at once when the port is not open.
    Result<Poco::JSON::Object> command(const std::string& name, const Poco::JSON::Object& args) {
        std::shared_ptr<PendingCommand> pending;
        {
            std::lock_guard lock(mutex_);
            if (state_ != DeviceState::ready) {
                return Error{ErrorCode::io, config_.name + " is " + toString(state_) +
                                                (reason_.empty() ? "" : ": " + reason_)};
            }
            pending = std::make_shared<PendingCommand>();
            pending->name = name;
            pending->args = args;
            commands_.push_back(pending);
        }
        std::unique_lock lock(mutex_);
        if (!commandDone_.wait_for(lock, 5s, [&] { return pending->done; })) {
            return Error{ErrorCode::timeout, config_.name + " did not take the command in time"};
        }
        return pending->result;
    }

    void start() {
        thread_ = std::thread([this] { run(); });
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    // ---- EventSink (called on this worker's thread) ----
    void publish(const std::string& type, const Poco::JSON::Object& data) override {
        events_.publish(type, config_.name, data);
    }
    void count(const std::string& counter) override {
        std::lock_guard lock(mutex_);
        ++counters_[counter];
    }

    DeviceManager::Status status() const {
        std::lock_guard lock(mutex_);
        return {config_.name, state_, sinceMs_, reason_};
    }

    Poco::JSON::Object describe() const {
        std::lock_guard lock(mutex_);
        Poco::JSON::Object item;
        item.set("name", config_.name);
        item.set("driver", config_.driver);
        item.set("port", portLabel());
        if (!hal::isTcpLocation(config_.port)) item.set("serial", config_.serial.describe());
        item.set("state", toString(state_));
        if (!reason_.empty()) item.set("reason", reason_);
        item.set("since", isoUtcFromMillis(sinceMs_));
        if (!backend_.empty()) item.set("backend", backend_);
        Poco::JSON::Object counters;
        for (const auto& [name, value] : counters_) counters.set(name, value);
        item.set("counters", counters);
        return item;
    }

    void addGauges(std::vector<Gauge>& gauges) const {
        std::lock_guard lock(mutex_);
        const std::string device = promLabel("device", config_.name);
        for (const auto& [name, value] : counters_) {
            gauges.push_back({"lojal_device_events_total", "Frames seen per device, by outcome.",
                              static_cast<double>(value), device + "," + promLabel("outcome", name),
                              "counter"});
        }
        gauges.push_back({"lojal_device_up", "1 when the device is ready.",
                          state_ == DeviceState::ready ? 1.0 : 0.0, device, "gauge"});
    }

  private:
    std::string portLabel() const {
        if (!config_.port.empty()) return config_.port;
        char usb[16];
        std::snprintf(usb, sizeof usb, "usb:%04x:%04x", config_.usbVendorId, config_.usbProductId);
        return usb;
    }

    // The path to open: the configured one, or the port whose USB ids match.
    Result<std::string> locatePort() const {
        if (!config_.port.empty()) return config_.port;
        auto ports = hal::listPorts();
        if (!ports) return ports.error();
        for (const auto& port : *ports) {
            if (port.usbVendorId == config_.usbVendorId &&
                port.usbProductId == config_.usbProductId) {
                return port.name;
            }
        }
        return Error{ErrorCode::notFound,
                     "no USB serial port " + portLabel().substr(4) + " is plugged in"};
    }

    void setState(DeviceState state, const std::string& reason, const std::string& backend = "") {
        {
            std::lock_guard lock(mutex_);
            if (state == state_) {  // log and publish state changes only
                reason_ = reason;
                return;
            }
            state_ = state;
            reason_ = reason;
            backend_ = backend;
            sinceMs_ = unixMillisNow();
        }
        if (state == DeviceState::ready) {
            log_.notice("%s ready on %s (%s)", config_.name, portLabel(), backend);
        } else if (state == DeviceState::connecting) {
            log_.information("%s connecting to %s", config_.name, portLabel());
        } else {
            log_.warning("%s %s: %s", config_.name, std::string(toString(state)), reason);
        }
        Poco::JSON::Object data;
        data.set("state", toString(state));
        if (!reason.empty()) data.set("reason", reason);
        data.set("port", portLabel());
        events_.publish("device", config_.name, data);
    }

    // Sleeps up to delay, or less when asked to stop. Returns false when stopping.
    bool pause(std::chrono::milliseconds delay) {
        std::unique_lock lock(mutex_);
        return !wake_.wait_for(lock, delay, [this] { return stopping_; });
    }

    bool stopping() {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

    struct PendingCommand {
        std::string name;
        Poco::JSON::Object args;
        Result<Poco::JSON::Object> result = Error{ErrorCode::busy, "not run"};
        bool done = false;
    };

    void runPendingCommands(hal::TimePoint now) {
        std::vector<std::shared_ptr<PendingCommand>> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(commands_);
        }
        if (batch.empty()) return;
        for (auto& pending : batch) {
            auto result = driver_->command(pending->name, pending->args, now, *this);
            std::lock_guard lock(mutex_);
            pending->result = std::move(result);
            pending->done = true;
        }
        commandDone_.notify_all();
    }

    void failPendingCommands() {
        {
            std::lock_guard lock(mutex_);
            for (auto& pending : commands_) {
                pending->result = Error{ErrorCode::io, config_.name + " went away"};
                pending->done = true;
            }
            commands_.clear();
        }
        commandDone_.notify_all();
    }

    void run() {
        // Backoff between attempts, capped at 1 s: a returning device is read again
        // within about a second, and an absent one costs one open() per second.
        auto backoff = 100ms;
        setState(DeviceState::connecting, "");
        while (!stopping()) {
            auto path = locatePort();
            Result<std::unique_ptr<hal::Port>> port =
                path ? openPort(*path) : Result<std::unique_ptr<hal::Port>>(path.error());
            if (!port) {
                const bool gone = port.error().code == ErrorCode::notFound;
                setState(gone ? DeviceState::absent : DeviceState::error, port.error().message);
                if (!pause(backoff)) break;
                backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
                continue;
            }
            backoff = 100ms;
            PortHandle handle(**port);
            driver_->onOpen(handle, hal::SteadyClock::now(), *this);
            setState(DeviceState::ready, "", (*port)->backend());
            readUntilFailure(**port, handle, *path);
            driver_->onClose(hal::SteadyClock::now(), *this);
            failPendingCommands();
        }
    }

    Result<std::unique_ptr<hal::Port>> openPort(const std::string& path) const {
        if (const auto where = hal::parseTcpLocation(path)) return hal::connectTcp(*where, 2s);
        auto serial = hal::SerialPort::open(path, config_.serial);
        if (!serial) return serial.error();
        return std::unique_ptr<hal::Port>(std::move(*serial));
    }

    void readUntilFailure(hal::Port& port, const PortHandle& handle, const std::string& path) {
        uint8_t buffer[1024];
        auto lastPresenceCheck = hal::SteadyClock::now();
        while (!stopping()) {
            auto n = port.read(buffer, sizeof buffer, driver_->tickInterval());
            const auto now = hal::SteadyClock::now();
            if (!n) {
                const bool gone = port.kind() == hal::PortKind::serial && !hal::portPresent(path);
                setState(gone ? DeviceState::absent : DeviceState::error,
                         gone ? "unplugged (" + n.error().message + ")" : n.error().message);
                return;
            }
            if (*n > 0) {
                driver_->onBytes(std::string_view(reinterpret_cast<const char*>(buffer), *n), now,
                                 *this);
            }
            driver_->onTick(now, *this);
            runPendingCommands(now);
            if (handle.reconnectWanted()) {
                setState(DeviceState::connecting, "reconnecting: the stream was out of step");
                return;
            }
            // Some USB adapters just go quiet when pulled: check the node once a second.
            if (port.kind() == hal::PortKind::serial && now - lastPresenceCheck > 1s) {
                lastPresenceCheck = now;
                if (!hal::portPresent(path)) {
                    setState(DeviceState::absent, "unplugged");
                    return;
                }
            }
        }
    }

    const DeviceConfig config_;
    std::unique_ptr<hal::Driver> driver_;
    EventRing& events_;
    Poco::Logger& log_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    DeviceState state_ = DeviceState::absent;
    std::string reason_ = "not started";
    std::string backend_;
    int64_t sinceMs_ = unixMillisNow();  // Unix ms of the last change of state
    std::map<std::string, uint64_t> counters_;
    std::vector<std::shared_ptr<PendingCommand>> commands_;
    std::condition_variable commandDone_;
};

Result<std::unique_ptr<DeviceManager>> DeviceManager::create(const Config& config,
                                                             EventRing& events) {
    std::unique_ptr<DeviceManager> manager(new DeviceManager());
    hal::DriverContext context{
        config.scanning, [] { return Poco::Timestamp().epochTime(); }, manager->findMember_,
        static_cast<uint16_t>(currencyNumber(config.store.currency).value_or(0))};
    for (const DeviceConfig& device : config.devices) {
        const hal::DriverEntry* entry = hal::findDriver(device.driver);
        if (!entry) {
            std::string known;
            for (const auto& driver : hal::driverTable())
                known += std::string(known.empty() ? "" : ", ") + driver.name;
            return Error{ErrorCode::arg, config.source + ": key 'device." + device.name +
                                             ".driver': unknown driver '" + device.driver +
                                             "' (known: " + known + ")"};
        }
        auto driver = entry->create(device.options, context);
        if (!driver) {
            // Name the option's line: "option 'suffix': ..." -> key 'device.NAME.suffix'.
            const std::string& message = driver.error().message;
            std::string where = config.source + ": device." + device.name;
            const size_t quote = message.find('\'');
            if (quote != std::string::npos) {
                const std::string option =
                    message.substr(quote + 1, message.find('\'', quote + 1) - quote - 1);
                if (auto line = device.optionLines.find(option); line != device.optionLines.end()) {
                    where = config.source + " line " + std::to_string(line->second) +
                            ": key 'device." + device.name + "." + option + "'";
                }
            }
            return Error{ErrorCode::arg, where + ": " + message};
        }
        manager->workers_.push_back(
            std::make_unique<DeviceWorker>(device, std::move(*driver), events));
    }
    return manager;
}

DeviceManager::~DeviceManager() {
    stop();
}

void DeviceManager::start() {
    for (auto& worker : workers_) worker->start();
}

void DeviceManager::stop() {
    for (auto& worker : workers_) worker->stop();
}

Poco::JSON::Array DeviceManager::snapshot() const {
    Poco::JSON::Array devices;
    for (const auto& worker : workers_) devices.add(worker->describe());
    return devices;
}

Result<Poco::JSON::Object> DeviceManager::command(const std::string& device,
                                                  const std::string& driver,
                                                  const std::string& name,
                                                  const Poco::JSON::Object& args) {
    for (auto& worker : workers_) {
        if (worker->name() == device && worker->driverName() == driver)
            return worker->command(name, args);
    }
    return Error{ErrorCode::notFound, "no " + driver + " device named '" + device + "'"};
}

void DeviceManager::setMemberFinder(hal::MemberFinder finder) {
    *findMember_ = std::move(finder);
}

std::vector<DeviceManager::Status> DeviceManager::statuses() const {
    std::vector<Status> list;
    for (const auto& worker : workers_) list.push_back(worker->status());
    return list;
}

std::vector<Gauge> DeviceManager::gauges() const {
    std::vector<Gauge> gauges;
    for (const auto& worker : workers_) worker->addGauges(gauges);
    return gauges;
}

}  // namespace lojal
