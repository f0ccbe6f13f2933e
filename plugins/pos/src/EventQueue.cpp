#include "EventQueue.h"

namespace lojal::pos {

void EventQueue::setMax(size_t max) {
    max_ = max;
    while (queue_.size() > max_) {
        queue_.pop_front();
        ++dropped_;
    }
}

void EventQueue::push(QueuedEvent event) {
    queue_.push_back(std::move(event));
    setMax(max_);
}

std::optional<QueuedEvent> EventQueue::pop(const std::string& now) {
    if (dropped_ > 0) {
        // What was dropped is older than everything still queued: the gap comes first.
        QueuedEvent gap;
        gap.json =
            "{\"seq\":null,\"time\":\"" + now +
            "\",\"type\":\"gap\",\"device\":\"\",\"source\":\"lojal\",\"data\":{\"missed\":" +
            std::to_string(dropped_) +
            ",\"reason\":\"the library's event queue was full (LOJAL_OPT_EVENT_QUEUE_MAX)\"}}";
        dropped_ = 0;
        return gap;
    }
    if (queue_.empty()) return std::nullopt;
    QueuedEvent event = std::move(queue_.front());
    queue_.pop_front();
    return event;
}

}  // namespace lojal::pos
