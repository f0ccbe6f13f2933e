#pragma once
// Live events for POS plug-ins and kiosks: every producer publishes
// {seq, time, type, device, data}; the ring keeps the newest `capacity` of them so
// a client that reconnects with ?since=SEQ gets what it missed. Publishing never
// waits for a reader: a slow client only falls behind, and is told so.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lojal {

struct EventBatch {
    std::vector<std::shared_ptr<const std::string>> events;  // serialized JSON, in order
    uint64_t lastSeq = 0;                                    // resume after this one
    uint64_t missed = 0;  // events that fell out of the ring before they were read
    bool reset = false;   // the requested seq is ahead of the ring (lojald restarted)
};

class EventRing {
  public:
    explicit EventRing(size_t capacity);

    uint64_t publish(const std::string& type, const std::string& device,
                     const Poco::JSON::Object& data);
    // At most maxEvents events after seq `after`, without waiting.
    EventBatch take(uint64_t after, size_t maxEvents);
    // Called (on the publisher's thread, outside the ring's lock) after each
    // publish and on close: a reactor writes to its wake-up descriptor here.
    void setListener(std::function<void()> listener);
    uint64_t lastSeq() const;
    size_t capacity() const { return capacity_; }
    // Random, fixed for this ring's life: a client that reconnects gives it back
    // (?instance=) so a seq from before a restart is never mistaken for one of
    // this run's, even when this run has already passed that number.
    const std::string& instance() const { return instance_; }
    // Marks the ring closed and tells the listener (shutdown).
    void close();
    bool closed() const;

  private:
    struct Entry {
        uint64_t seq;
        std::shared_ptr<const std::string> json;
    };
    const size_t capacity_;
    const std::string instance_;
    mutable std::mutex mutex_;
    std::deque<Entry> entries_;
    uint64_t nextSeq_ = 1;
    bool closed_ = false;
    std::function<void()> listener_;  // set before publishers start
};

}  // namespace lojal
