#pragma once
// Every /v1/events WebSocket, on one WsReactor thread. Each stream takes events
// from the ring while its send queue has room; one that falls behind stops
// taking events until its queue drains, and then learns from a `gap` message
// what the ring dropped meanwhile.

#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <memory>
#include <string>

#include "api/WsReactor.h"
#include "events/EventRing.h"

namespace lojal {

class EventStreams {
  public:
    struct Limits {
        int streamsPerToken = 16;
        size_t queueBytes = 1024 * 1024;  // per stream; past it no new events are taken
    };
    EventStreams(EventRing& ring, Limits limits);
    ~EventStreams();

    void start();
    // Closes every stream with 1001 "lojald is stopping" and joins the thread.
    void stop();

    // Before the upgrade: false when the token already has its maximum of streams
    // (answer 429 too_many_streams). An admitted stream must be add()ed or released.
    bool admit(const std::string& token) { return reactor_.admit(token); }
    void release(const std::string& token) { reactor_.release(token); }
    // Takes an upgraded WebSocket. cursor: send events after this seq. hold: kept
    // while the stream lives (the connection's place under the per-peer cap).
    void add(Poco::Net::StreamSocket socket, uint64_t cursor, const std::string& token,
             std::shared_ptr<void> hold);

    size_t openStreams() const { return reactor_.openConnections(); }
    uint64_t droppedSlow() const { return reactor_.droppedSlow(); }

  private:
    class Stream;
    EventRing& ring_;
    WsReactor reactor_;
};

}  // namespace lojal
