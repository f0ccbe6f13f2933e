#pragma once
// Long-lived WebSockets (/v1/events, /v1/camera) served from one thread per
// kind: a client that is idle, slow or gone holds no HTTP pool thread and never
// delays another. Each connection has a bounded send queue; one that stops
// reading while its queue is full is dropped. Writes are non-blocking with our
// own framing (api/WsFrame), so a partial write resumes inside a frame.
//
// What a connection means is a WsSession's business: it gets each whole client
// message, and a call on every pass of the reactor to queue what is due.

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/Sockets.h"

#include "api/Http.h"
#include "api/WsFrame.h"

namespace lojal {

class WsReactor;

// One connection as its session sees it (on the reactor thread only).
class WsConnection {
  public:
    void sendText(std::string_view text) { out_ += ws::serverFrame(ws::kText, text); }
    // Queues a close frame; the connection ends once it is written.
    void close(uint16_t code, const std::string& reason);
    size_t queuedBytes() const { return out_.size(); }
    bool closing() const { return closing_; }
    const std::string& token() const { return token_; }
    uint64_t id() const { return id_; }

  private:
    friend class WsReactor;
    Poco::Net::StreamSocket socket_;  // keeps the descriptor open; TLS goes through it
    sockets::Handle fd_ = sockets::kInvalid;
    bool tls_ = false;
    uint64_t id_ = 0;
    std::string token_;
    std::shared_ptr<void> hold_;
    std::optional<ws::FrameReader> reader_;
    std::optional<ws::MessageAssembler> assembler_;
    std::string out_;  // frames not yet written
    std::chrono::steady_clock::time_point progress_ = std::chrono::steady_clock::now();
    bool closing_ = false;
    bool gone_ = false;
};

class WsSession {
  public:
    virtual ~WsSession() = default;
    // A whole text or binary message from the client (pings and closes are
    // answered by the reactor).
    virtual void onMessage(WsConnection&, const ws::Frame&) {}
    // Every pass of the reactor (after wake(), a client message, or once a
    // second): queue what is due.
    virtual void onRound(WsConnection&) {}
    // The connection is over (closed or dropped).
    virtual void onEnd(WsConnection&) {}
};

class WsReactor {
  public:
    struct Limits {
        int connectionsPerToken = 16;
        size_t queueBytes = 1024 * 1024;  // per connection; sessions stop queueing past it
        size_t maxMessage = 4096;         // a client message (after joining fragments)
        // A connection whose queue is full and that took nothing for this long
        // has stopped reading: it is dropped.
        std::chrono::milliseconds stalledAfter{5000};
    };
    // name: for the log ("events", "camera").
    WsReactor(std::string name, Limits limits);
    ~WsReactor();

    void start();
    // Closes every connection with 1001 "lojald is stopping" and joins the thread.
    void stop();
    // From any thread: run a pass soon (new events, answers ready).
    void wake();

    // Before the upgrade: false when the token already has its maximum of
    // connections. An admitted connection must be add()ed or released.
    bool admit(const std::string& token);
    void release(const std::string& token);
    // Takes an upgraded WebSocket. hold: kept while the connection lives (its
    // place under the per-peer cap).
    void add(Poco::Net::StreamSocket socket, const std::string& token, std::shared_ptr<void> hold,
             std::unique_ptr<WsSession> session);

    const Limits& limits() const { return limits_; }
    size_t openConnections() const { return open_.load(); }
    uint64_t droppedSlow() const { return droppedSlow_.load(); }

  private:
    struct Entry {
        WsConnection connection;
        std::unique_ptr<WsSession> session;
    };
    void run();
    void serviceReads(Entry& entry);
    void flush(WsConnection& connection);

    const std::string name_;
    const Limits limits_;
    Poco::Logger& log_;
    sockets::Wakeup wakeup_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::map<std::string, int> perToken_;           // admitted or open, by token name
    std::vector<std::unique_ptr<Entry>> incoming_;  // added, not yet taken by the thread
    std::vector<std::unique_ptr<Entry>> entries_;   // the thread's own
    std::atomic<size_t> open_{0};
    std::atomic<uint64_t> droppedSlow_{0};
    uint64_t nextId_ = 1;
};

// RFC 6455 4.2.2 for an upgrade lojald takes (GET, Upgrade: websocket,
// Connection: upgrade, version 13): answers 101 with `headers` added and hands
// back the connection itself, plain or TLS, for a WsReactor. Without a valid
// opening handshake it answers 400 websocket_required and returns nothing.
// Done here rather than by Poco::Net::WebSocket so the reactor frames on the
// connection without blocking.
std::optional<Poco::Net::StreamSocket> acceptWebSocket(
    Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

// Refusals before the upgrade go out as ordinary JSON errors.
void sendRefusal(Poco::Net::HTTPServerResponse& response, const Response& refusal);

}  // namespace lojal
