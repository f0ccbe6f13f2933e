#pragma once
// Every /v1/events WebSocket, served from one reactor thread: a client that is
// idle, slow or gone holds no HTTP pool thread and never delays another. Each
// stream has a bounded send queue; one that falls behind stops taking events
// until its queue drains, and then learns from a `gap` message what the ring
// dropped meanwhile. Writes are non-blocking with our own framing (api/WsFrame),
// so a partial write resumes inside a frame.

#include <Poco/Logger.h>
#include <Poco/Net/StreamSocket.h>

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
    bool admit(const std::string& token);
    void release(const std::string& token);
    // Takes an upgraded WebSocket. cursor: send events after this seq. hold: kept
    // while the stream lives (the connection's place under the per-peer cap).
    void add(Poco::Net::StreamSocket socket, uint64_t cursor, const std::string& token,
             std::shared_ptr<void> hold);

    size_t openStreams() const { return open_.load(); }
    uint64_t droppedSlow() const { return droppedSlow_.load(); }

  private:
    struct Stream;
    void run();
    void wake();
    void serviceReads(Stream& stream);
    void fill(Stream& stream);
    void flush(Stream& stream);
    void finish(Stream& stream, uint16_t code, const std::string& reason);
    static ssize_t receive(Stream& stream, char* buffer, size_t size);
    static ssize_t send(Stream& stream, const char* data, size_t size);

    EventRing& ring_;
    const Limits limits_;
    Poco::Logger& log_;
    int wakeFd_ = -1;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::map<std::string, int> perToken_;            // admitted or open, by token name
    std::vector<std::unique_ptr<Stream>> incoming_;  // added, not yet taken by the thread
    std::vector<std::unique_ptr<Stream>> streams_;   // the thread's own
    std::atomic<size_t> open_{0};
    std::atomic<uint64_t> droppedSlow_{0};
};

}  // namespace lojal
