#pragma once
// Where HTTP connections wait, so that waiting costs no thread: one thread accepts
// on every listen socket and watches every connection that has no complete
// request head yet (new ones, and kept-alive ones between requests). Only a
// connection whose whole head has arrived is handed to a worker, so a client
// that trickles a header byte by byte (slowloris) or idles holds nothing but a
// descriptor, and loses even that at the deadlines:
//   - no first byte within the keep-alive time: closed quietly;
//   - a head still incomplete `headerTimeout` after its first byte: 408, closed;
//   - a head longer than kMaxHead bytes: 431, closed;
//   - a peer address that already has `perPeer` connections open: refused at accept.
// Workers arm a deadline for a request body; when it passes, the hub shuts the
// socket down for reading, so the blocked read ends and the worker answers 408.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/Sockets.h"

namespace lojal {

using SteadyTime = std::chrono::steady_clock::time_point;

// A connection between requests. hold keeps the connection's place under its
// peer's cap for as long as anyone (worker, hub, WebSocket stream) has it.
struct Connection {
    Poco::Net::StreamSocket socket;
    std::string peer;
    std::shared_ptr<void> hold;
    int requests = 0;  // served so far on this connection
    bool tls = false;  // came in on an HTTPS listener (socket.secure() once attached)
};

// A listening socket; tls: its connections speak HTTPS.
struct Listener {
    Poco::Net::ServerSocket socket;
    bool tls = false;
};

class ConnectionHub {
  public:
    static constexpr size_t kMaxHead = 64 * 1024;
    struct Limits {
        int perPeer = 64;
        std::chrono::milliseconds keepAlive{5000};
        std::chrono::milliseconds headerTimeout{10000};
    };
    // Called on the hub's thread with a connection whose head has arrived.
    using Ready = std::function<void(Connection)>;

    ConnectionHub(std::vector<Listener> listeners, Limits limits, Ready ready);
    ~ConnectionHub();

    void start();
    void stopAccepting();  // closes the listening sockets
    void stop();           // and every waiting connection; joins the thread

    // A connection back from a request: wait for its next head.
    void resume(Connection connection);
    // Shuts fd down for reading at `when` unless disarmed first. The caller keeps
    // the socket open until it has disarmed, so the descriptor cannot be reused.
    uint64_t arm(sockets::Handle fd, SteadyTime when);
    void disarm(uint64_t id);

    uint64_t refusedPerPeer() const { return refusedPerPeer_.load(); }
    uint64_t headerTimeouts() const { return headerTimeouts_.load(); }
    uint64_t headersTooLarge() const { return headersTooLarge_.load(); }
    size_t openConnections() const { return peers_->total.load(); }

  private:
    struct Waiting {
        Connection connection;
        SteadyTime since;        // when it started waiting
        SteadyTime firstByte{};  // of the head, once one came
        bool started = false;
        // Where the platform has no SO_RCVLOWAT (Windows), a partial head is
        // looked at again at this time rather than polled (it stays readable).
        SteadyTime quietUntil{};
        std::chrono::milliseconds quietFor{0};  // the rest before quietUntil
        size_t peeked = 0;                      // bytes of the head seen so far
    };
    // Open connections by peer address; shared with every connection's hold, which
    // may outlive the hub (a WebSocket stream at shutdown).
    struct PeerCounts {
        std::mutex mutex;
        std::map<std::string, int> open;
        std::atomic<size_t> total{0};
    };
    void run();
    void wake();
    void acceptFrom(Listener& listener);
    // The head is whole: true; still coming: false; closed/over-long: the
    // connection is dropped (reply sent where one is due) and `drop` set.
    bool headComplete(Waiting& waiting, bool& drop);
    void answerAndClose(Waiting& waiting, int status, const std::string& code,
                        const std::string& message);
    void fireDeadlines(SteadyTime now);

    std::vector<Listener> listeners_;
    const Limits limits_;
    Ready ready_;
    sockets::Wakeup wakeup_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> accepting_{true};
    std::mutex mutex_;
    std::vector<Connection> resumed_;  // handed back by workers
    std::map<uint64_t, std::pair<sockets::Handle, SteadyTime>> deadlines_;
    uint64_t nextDeadline_ = 1;
    std::shared_ptr<PeerCounts> peers_ = std::make_shared<PeerCounts>();
    std::vector<Waiting> waiting_;  // the hub thread's own
    std::atomic<uint64_t> refusedPerPeer_{0};
    std::atomic<uint64_t> headerTimeouts_{0};
    std::atomic<uint64_t> headersTooLarge_{0};
};

}  // namespace lojal
