#include "events/EventStreams.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "api/WsFrame.h"

namespace lojal {

namespace {

constexpr size_t kMaxEventsPerFill = 256;
constexpr size_t kMaxClientFrame = 4096;  // clients only send pings and closes
// A stream whose queue is full and that took nothing for this long has stopped
// reading: it is dropped (and reconnects with ?since= when it wakes up).
constexpr auto kStalledAfter = std::chrono::seconds(5);

constexpr ssize_t kFailed = -1000;  // the connection is broken (any other negative: try later)

// Non-blocking reads and writes: the descriptor for plain connections, the TLS
// layer (Poco, which answers negative for "would block") for HTTPS ones.
ssize_t receiveFrom(bool tls, Poco::Net::StreamSocket& socket, int fd, char* buffer, size_t size) {
    if (!tls) {
        const ssize_t n = ::recv(fd, buffer, size, MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return kFailed;
        return n;
    }
    try {
        return socket.receiveBytes(buffer, static_cast<int>(size));
    } catch (const Poco::TimeoutException&) {
        return -1;
    } catch (const Poco::Exception&) {
        return kFailed;
    }
}

ssize_t sendTo(bool tls, Poco::Net::StreamSocket& socket, int fd, const char* data, size_t size) {
    if (!tls) {
        const ssize_t n = ::send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return kFailed;
        return n;
    }
    try {
        return socket.sendBytes(data, static_cast<int>(std::min<size_t>(size, 1 << 20)));
    } catch (const Poco::TimeoutException&) {
        return -1;
    } catch (const Poco::Exception&) {
        return kFailed;
    }
}

std::string controlMessage(const std::string& type, const Poco::JSON::Object& data) {
    std::ostringstream out;
    out << "{\"seq\":null,\"type\":\"" << type << "\",\"device\":\"\",\"data\":";
    data.stringify(out);
    out << "}";
    return out.str();
}

}  // namespace

struct EventStreams::Stream {
    Poco::Net::StreamSocket socket;  // keeps the descriptor open; TLS goes through it
    int fd = -1;
    bool tls = false;  // bytes pass the socket's TLS layer, not the descriptor
    uint64_t cursor = 0;
    std::string token;
    std::shared_ptr<void> hold;
    ws::FrameReader reader{kMaxClientFrame};
    std::string out;  // frames not yet written
    std::chrono::steady_clock::time_point progress = std::chrono::steady_clock::now();
    bool closing = false;  // a close frame is queued: write it, then drop the stream
    bool gone = false;     // the peer went away: drop at once
};

EventStreams::EventStreams(EventRing& ring, Limits limits)
    : ring_(ring), limits_(limits), log_(Poco::Logger::get("lojal.events")) {
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

EventStreams::~EventStreams() {
    stop();
    if (wakeFd_ >= 0) ::close(wakeFd_);
}

void EventStreams::start() {
    ring_.setListener([this] { wake(); });
    thread_ = std::thread([this] { run(); });
}

void EventStreams::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    wake();
    thread_.join();
}

void EventStreams::wake() {
    const uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
}

bool EventStreams::admit(const std::string& token) {
    std::lock_guard lock(mutex_);
    int& count = perToken_[token];
    if (count >= limits_.streamsPerToken) return false;
    ++count;
    return true;
}

void EventStreams::release(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (auto found = perToken_.find(token); found != perToken_.end() && --found->second <= 0)
        perToken_.erase(found);
}

void EventStreams::add(Poco::Net::StreamSocket socket, uint64_t cursor, const std::string& token,
                       std::shared_ptr<void> hold) {
    auto stream = std::make_unique<Stream>();
    stream->fd = socket.impl()->sockfd();
    stream->tls = socket.secure();
    socket.setBlocking(false);  // reads and writes must never wait
    stream->socket = std::move(socket);
    stream->cursor = cursor;
    stream->token = token;
    stream->hold = std::move(hold);
    log_.information("events: %s connected from seq %s", token, std::to_string(cursor));
    {
        std::lock_guard lock(mutex_);
        incoming_.push_back(std::move(stream));
    }
    ++open_;
    wake();
}

ssize_t EventStreams::receive(Stream& stream, char* buffer, size_t size) {
    return receiveFrom(stream.tls, stream.socket, stream.fd, buffer, size);
}

ssize_t EventStreams::send(Stream& stream, const char* data, size_t size) {
    return sendTo(stream.tls, stream.socket, stream.fd, data, size);
}

void EventStreams::finish(Stream& stream, uint16_t code, const std::string& reason) {
    if (stream.closing) return;
    stream.closing = true;
    stream.out += ws::closeFrame(code, reason);
}

// Client frames: a ping gets its pong, a close gets 1000 back (RFC 6455 5.5.1),
// a malformed stream gets the close code the reader names.
void EventStreams::serviceReads(Stream& stream) {
    char buffer[4096];
    while (true) {
        const ssize_t n = receive(stream, buffer, sizeof buffer);
        if (n == 0 || n == kFailed) {
            stream.gone = true;
            return;
        }
        if (n < 0) return;             // nothing more now
        if (stream.closing) continue;  // waiting to send our close: the rest is noise
        auto result = stream.reader.feed(buffer, static_cast<size_t>(n));
        for (const ws::Frame& frame : result.frames) {
            if (frame.opcode == ws::kPing) stream.out += ws::serverFrame(ws::kPong, frame.payload);
            if (frame.opcode == ws::kClose) return finish(stream, ws::kNormalClose, "");
        }
        if (result.error) return finish(stream, *result.error, result.reason);
    }
}

// Takes events for the stream while its queue has room.
void EventStreams::fill(Stream& stream) {
    // lastSeq below the cursor: a seq from before a restart, answered with `reset`.
    while (!stream.closing && stream.out.size() < limits_.queueBytes &&
           ring_.lastSeq() != stream.cursor) {
        const EventBatch batch = ring_.take(stream.cursor, kMaxEventsPerFill);
        if (batch.reset) {
            Poco::JSON::Object data;
            data.set("reason", "since is ahead of the newest event: lojald restarted");
            stream.out += ws::serverFrame(ws::kText, controlMessage("reset", data));
        }
        if (batch.missed > 0) {
            Poco::JSON::Object data;
            data.set("missed", batch.missed);
            data.set("ring_size", ring_.capacity());
            stream.out += ws::serverFrame(ws::kText, controlMessage("gap", data));
        }
        for (const auto& event : batch.events) stream.out += ws::serverFrame(ws::kText, *event);
        if (batch.lastSeq == stream.cursor && batch.events.empty()) break;
        stream.cursor = batch.lastSeq;
    }
}

void EventStreams::flush(Stream& stream) {
    while (!stream.out.empty()) {
        const ssize_t n = send(stream, stream.out.data(), stream.out.size());
        if (n > 0) {
            stream.out.erase(0, static_cast<size_t>(n));
            stream.progress = std::chrono::steady_clock::now();
            continue;
        }
        if (n == kFailed || n == 0) stream.gone = true;
        return;  // the socket takes no more now
    }
}

void EventStreams::run() {
    std::vector<pollfd> fds;
    int roundsStopping = 0;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            for (auto& stream : incoming_) streams_.push_back(std::move(stream));
            incoming_.clear();
        }
        const bool stopping = stopping_.load() || ring_.closed();
        const auto now = std::chrono::steady_clock::now();
        for (auto& stream : streams_) {
            if (stopping) finish(*stream, ws::kGoingAway, "lojald is stopping");
            fill(*stream);
            if (stream->out.empty()) stream->progress = now;
            flush(*stream);
            if (stream->out.size() >= limits_.queueBytes &&
                now - stream->progress > kStalledAfter) {
                stream->gone = true;
                ++droppedSlow_;
            }
        }
        // Drop what is over: gone, or closed with everything written.
        for (auto it = streams_.begin(); it != streams_.end();) {
            Stream& stream = **it;
            if (stream.gone || (stream.closing && stream.out.empty())) {
                log_.information("events: %s %s", stream.token,
                                 std::string(stream.gone ? "dropped" : "closed"));
                release(stream.token);
                --open_;
                it = streams_.erase(it);
            } else {
                ++it;
            }
        }
        if (stopping && streams_.empty()) return;
        fds.assign(1, pollfd{wakeFd_, POLLIN, 0});
        for (auto& stream : streams_) {
            short events = POLLIN;
            if (!stream->out.empty()) events |= POLLOUT;
            fds.push_back(pollfd{stream->fd, events, 0});
        }
        // At shutdown, a client that reads nothing gets a second to take its close.
        ::poll(fds.data(), fds.size(), stopping ? 100 : 1000);
        if (fds[0].revents & POLLIN) {
            uint64_t count = 0;
            (void)!::read(wakeFd_, &count, sizeof count);
        }
        for (size_t i = 0; i < streams_.size(); ++i) {
            // TLS may hold decrypted bytes the descriptor does not show: always try.
            if (streams_[i]->tls || (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                serviceReads(*streams_[i]);
        }
        // About a second after the stop, whoever has not taken the close is dropped.
        if (stopping && ++roundsStopping > 10) {
            for (auto& stream : streams_) stream->gone = true;
        }
    }
}

}  // namespace lojal
