#include "outbox/OutboxDrainer.h"

#include <algorithm>

#include "core/Time.h"

namespace lojal {

OutboxDrainer::OutboxDrainer(Outbox& outbox, std::string topic, int batchSize, Handler handle)
    : outbox_(outbox),
      topic_(std::move(topic)),
      batchSize_(batchSize),
      handle_(std::move(handle)),
      log_(Poco::Logger::get("lojal.outbox")) {}

OutboxDrainer::~OutboxDrainer() {
    stop();
}

int OutboxDrainer::start() {
    const auto recovered = outbox_.recoverInFlight(topic_);
    if (recovered && *recovered > 0) {
        log_.warning(
            "%d item(s) of topic %s were being sent when lojald stopped; sending them "
            "again",
            *recovered, topic_);
    }
    thread_ = std::thread([this] { run(); });
    return recovered ? *recovered : 0;
}

void OutboxDrainer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OutboxDrainer::wake() {
    {
        std::lock_guard lock(mutex_);
        pending_ = true;
    }
    wake_.notify_all();
}

void OutboxDrainer::run() {
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            pending_ = false;
        }
        if (const int64_t hold = holdUntil_.load() - unixMillisNow(); hold > 0) {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(hold, 5000)),
                           [this] { return stopping_; });
            continue;
        }
        auto due = outbox_.claimDue(topic_, unixMillisNow(), batchSize_);
        int64_t waitMs = 5000;
        if (!due) {
            // Disk full or read-only: say so once, then try again each second.
            if (due.error().message != lastError_)
                log_.error("outbox %s: %s", topic_, due.error().message);
            lastError_ = due.error().message;
            waitMs = 1000;
        } else {
            if (!lastError_.empty())
                log_.notice("outbox %s: the database accepts writes again", topic_);
            lastError_.clear();
            if (!due->empty()) {
                handle_(*due);
                continue;  // a backlog drains without waiting
            }
            if (auto next = outbox_.nextDueMs(topic_); next && *next) {
                waitMs = std::clamp<int64_t>(**next - unixMillisNow(), 0, 5000);
            }
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(waitMs),
                       [this] { return stopping_ || pending_; });
    }
}

}  // namespace lojal
