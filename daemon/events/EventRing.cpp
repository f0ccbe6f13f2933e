#include "events/EventRing.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Timestamp.h>

#include <random>
#include <sstream>

namespace lojal {
namespace {

std::string newInstanceId() {
    std::random_device random;
    static const char kHex[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 16; ++i) id += kHex[random() % 16];
    return id;
}

}  // namespace

EventRing::EventRing(size_t capacity) : capacity_(capacity), instance_(newInstanceId()) {}

uint64_t EventRing::publish(const std::string& type, const std::string& device,
                            const Poco::JSON::Object& data) {
    // Serialize outside the lock; only the seq needs it.
    const std::string time =
        Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
    std::ostringstream body;
    data.stringify(body);
    uint64_t seq = 0;
    {
        std::lock_guard lock(mutex_);
        seq = nextSeq_++;
        std::ostringstream json;
        json << "{\"seq\":" << seq << ",\"time\":\"" << time << "\",\"type\":";
        Poco::JSON::Stringifier::formatString(type, json);
        json << ",\"device\":";
        Poco::JSON::Stringifier::formatString(device, json);
        json << ",\"data\":" << body.str() << "}";
        entries_.push_back(Entry{seq, std::make_shared<const std::string>(json.str())});
        if (entries_.size() > capacity_) entries_.pop_front();
    }
    if (listener_) listener_();
    return seq;
}

EventBatch EventRing::take(uint64_t after, size_t maxEvents) {
    std::lock_guard lock(mutex_);
    EventBatch batch;
    if (after >= nextSeq_) {
        batch.reset = true;
        after = 0;
    }
    batch.lastSeq = after;
    if (entries_.empty()) return batch;
    const uint64_t oldest = entries_.front().seq;
    if (after != 0 && after + 1 < oldest) batch.missed = oldest - after - 1;
    // Entries are consecutive: the first one after `after` is found by arithmetic.
    const size_t first = after + 1 <= oldest ? 0 : static_cast<size_t>(after + 1 - oldest);
    for (size_t i = first; i < entries_.size() && batch.events.size() < maxEvents; ++i) {
        batch.events.push_back(entries_[i].json);
        batch.lastSeq = entries_[i].seq;
    }
    return batch;
}

void EventRing::setListener(std::function<void()> listener) {
    listener_ = std::move(listener);
}

uint64_t EventRing::lastSeq() const {
    std::lock_guard lock(mutex_);
    return nextSeq_ - 1;
}

void EventRing::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    if (listener_) listener_();
}

bool EventRing::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

}  // namespace lojal
