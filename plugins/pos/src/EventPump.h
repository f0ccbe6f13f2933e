#pragma once
// The library's event thread: keeps lojald's /v1/events WebSocket open,
// reconnects with backoff and resumes with ?since=&instance= so no event is lost
// or delivered twice across a reconnect or a lojald restart; hands events to a
// bounded queue (lojal_event_next) or to the host's callback; and remembers the
// results of recent terminal flows for lojal_terminal_wait().

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "CallRegistry.h"
#include "EventQueue.h"
#include "lojal/lojal.h"

namespace Poco::Net {
class WebSocket;
}

namespace lojal::pos {

class Client;

// A terminal flow as the events told it.
struct FlowRecord {
    std::string reference;
    std::string card;      // the card event's data, "" when none
    std::string finished;  // the finished event's data, "" while running
};

class EventPump {
  public:
    explicit EventPump(Client& client);
    ~EventPump();

    void setEnabled(bool enabled);  // starts or stops the thread
    void stop();
    void setQueueMax(size_t max);
    void setCallback(lojal_event_callback callback, void* user);
    // Wakes waits so they see a cancel.
    void wake();

    // LOJAL_OK with an event, LOJAL_E_TIMEOUT when none came, LOJAL_E_CANCELLED.
    int next(Call& call, QueuedEvent& event);
    // Waits for the flow's end: true with its record when finished.
    bool waitFlow(Call& call, const std::string& terminal, int flowId, Clock::time_point until,
                  FlowRecord& record);
    bool online() const;
    bool onEventThread() const;
    // How often lojald was found restarted (a `reset` on the stream).
    uint64_t resets() const;

  private:
    void run();
    bool stream(std::string& why);
    void receive(Poco::Net::WebSocket& socket, std::string& why);
    void handle(const std::string& json);
    void deliver(uint64_t seq, std::string json);
    void announce(const std::string& type, const std::string& dataJson);

    Client& client_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;
    bool running_ = false;
    bool stop_ = false;
    NativeSocket streamFd_ = kNoSocket;  // shut down by stop()
    Call* handshake_ = nullptr;          // the stream's opening call, cancelled by stop()
    bool online_ = false;
    bool announcedOffline_ = false;

    // Resume point: set from the first stream's Lojal-Cursor, then each event.
    bool haveCursor_ = false;
    uint64_t lastSeq_ = 0;
    std::string instance_;
    uint64_t resets_ = 0;

    EventQueue queue_;
    lojal_event_callback callback_ = nullptr;
    void* callbackUser_ = nullptr;
    bool inCallback_ = false;
    std::thread::id threadId_;

    std::map<std::tuple<std::string, int>, FlowRecord> flows_;  // newest 64
    std::deque<std::tuple<std::string, int>> flowOrder_;
};

}  // namespace lojal::pos
