#pragma once
// The events a host has not taken yet: bounded, the oldest dropped on overflow,
// and a `gap` event (how many were dropped) handed out before what is left.
// Pure: no locks, no threads (EventPump holds it under its mutex).

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace lojal::pos {

struct QueuedEvent {
    uint64_t seq = 0;  // 0 for lojald's control messages and the library's own events
    std::string json;
};

class EventQueue {
  public:
    explicit EventQueue(size_t max = 1000) : max_(max) {}
    void setMax(size_t max);
    void push(QueuedEvent event);
    bool empty() const { return queue_.empty() && dropped_ == 0; }
    // The next event: a gap first when some were dropped. nullopt when empty.
    // `now` is the gap's time ("2026-11-30T09:12:07.118Z").
    std::optional<QueuedEvent> pop(const std::string& now);
    size_t size() const { return queue_.size(); }

  private:
    size_t max_;
    std::deque<QueuedEvent> queue_;
    uint64_t dropped_ = 0;
};

}  // namespace lojal::pos
