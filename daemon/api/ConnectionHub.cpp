#include "api/ConnectionHub.h"

#include <Poco/Net/StreamSocketImpl.h>
#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "api/Http.h"

namespace lojal {
namespace {

using namespace std::chrono_literals;

std::string addressText(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text,
                    sizeof text);
    } else if (address.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text,
                    sizeof text);
    }
    return text;
}

// How long a partial head rests before it is looked at again where the
// platform cannot poll for "more bytes" (no SO_RCVLOWAT: Windows): 10 ms after
// new bytes, doubling while none come, up to 250 ms, so 300 slowloris
// connections cost a few thousand peeks a second, not 30,000.
constexpr auto kRepeekInterval = 10ms;
constexpr auto kMaxRepeekInterval = 250ms;

// The end of a head: an empty line (CRLF, or a bare LF as lenient parsers take it).
bool hasHeadEnd(const char* data, size_t size) {
    const std::string_view text(data, size);
    return text.find("\r\n\r\n") != std::string_view::npos ||
           text.find("\n\n") != std::string_view::npos;
}

}  // namespace

ConnectionHub::ConnectionHub(std::vector<Listener> listeners, Limits limits, Ready ready)
    : listeners_(std::move(listeners)), limits_(limits), ready_(std::move(ready)) {}

ConnectionHub::~ConnectionHub() {
    stop();
}

void ConnectionHub::start() {
    thread_ = std::thread([this] { run(); });
}

void ConnectionHub::wake() {
    wakeup_.signal();
}

void ConnectionHub::stopAccepting() {
    accepting_ = false;
    wake();
}

void ConnectionHub::stop() {
    if (!thread_.joinable()) return;
    accepting_ = false;
    stopping_ = true;
    wake();
    thread_.join();
}

void ConnectionHub::resume(Connection connection) {
    {
        std::lock_guard lock(mutex_);
        resumed_.push_back(std::move(connection));
    }
    wake();
}

uint64_t ConnectionHub::arm(sockets::Handle fd, SteadyTime when) {
    uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = nextDeadline_++;
        deadlines_[id] = {fd, when};
    }
    wake();
    return id;
}

void ConnectionHub::disarm(uint64_t id) {
    std::lock_guard lock(mutex_);
    deadlines_.erase(id);
}

void ConnectionHub::fireDeadlines(SteadyTime now) {
    std::lock_guard lock(mutex_);
    for (auto it = deadlines_.begin(); it != deadlines_.end();) {
        if (it->second.second <= now) {
            sockets::shutdownRead(it->second.first);  // the blocked read sees the end
            it = deadlines_.erase(it);
        } else {
            ++it;
        }
    }
}

void ConnectionHub::acceptFrom(Listener& listener) {
    while (true) {
        sockaddr_storage address{};
        const sockets::Handle fd = sockets::acceptOne(listener.socket.impl()->sockfd(), address);
        // none waiting: all taken; anything else: try at the next wake-up
        if (fd == sockets::kInvalid) return;
        const std::string peer = addressText(address);
        bool admitted = false;
        {
            std::lock_guard lock(peers_->mutex);
            int& count = peers_->open[peer];
            if (count < limits_.perPeer) {
                ++count;
                admitted = true;
            }
        }
        if (!admitted) {
            ++refusedPerPeer_;
            sockets::close(fd);  // a clean close (FIN), before any byte is read
            continue;
        }
        ++peers_->total;
        sockets::holdNonBlocking(fd);
        Waiting waiting;
        waiting.connection.socket = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd));
        waiting.connection.peer = peer;
        waiting.connection.tls = listener.tls;
        // Given back when the last holder lets the connection go.
        waiting.connection.hold = std::shared_ptr<void>(nullptr, [peers = peers_, peer](void*) {
            std::lock_guard lock(peers->mutex);
            if (auto found = peers->open.find(peer); found != peers->open.end()) {
                if (--found->second <= 0) peers->open.erase(found);
            }
            --peers->total;
        });
        waiting.since = std::chrono::steady_clock::now();
        waiting_.push_back(std::move(waiting));
    }
}

void ConnectionHub::answerAndClose(Waiting& waiting, int status, const std::string& code,
                                   const std::string& message) {
    const std::string bytes = closingErrorMessage(status, code, message);
    const sockets::Handle fd = waiting.connection.socket.impl()->sockfd();
    (void)!sockets::sendSome(fd, bytes.data(), bytes.size());
    sockets::shutdownWrite(fd);
    // Closing with the client's bytes unread would send a reset, which may reach
    // it before the answer does: read and drop what has come.
    char sink[4096];
    for (int i = 0; i < 64 && sockets::receiveSome(fd, sink, sizeof sink) > 0; ++i) {
    }
}

bool ConnectionHub::headComplete(Waiting& waiting, bool& drop) {
    static thread_local std::vector<char> peek(kMaxHead + 1);
    const sockets::Handle fd = waiting.connection.socket.impl()->sockfd();
    const ssize_t n = sockets::receiveSome(fd, peek.data(), peek.size(), true);
    if (n == 0 || (n < 0 && !sockets::wouldBlock(sockets::lastError()))) {
        drop = true;  // the client went away between requests
        return false;
    }
    if (n < 0) return false;
    if (!waiting.started) {
        waiting.started = true;
        waiting.firstByte = std::chrono::steady_clock::now();
    }
    // TLS hides the head: a worker takes the connection at its first bytes and
    // the request deadline bounds the handshake and the head (see ApiServer).
    if (waiting.connection.tls) return true;
    if (hasHeadEnd(peek.data(), static_cast<size_t>(n))) {
        sockets::setReceiveLowWater(fd, 1);  // a worker reads it now: reads must not wait for more
        return true;
    }
    // Poll again only once more bytes have come: unread bytes would otherwise
    // keep the descriptor readable and the loop spinning.
    if (!sockets::setReceiveLowWater(fd, static_cast<int>(n) + 1)) {
        waiting.quietFor =
            static_cast<size_t>(n) > waiting.peeked
                ? std::chrono::milliseconds(kRepeekInterval)
                : std::min<std::chrono::milliseconds>(waiting.quietFor * 2, kMaxRepeekInterval);
        waiting.peeked = static_cast<size_t>(n);
        waiting.quietUntil = std::chrono::steady_clock::now() + waiting.quietFor;
    }
    if (static_cast<size_t>(n) > kMaxHead) {
        ++headersTooLarge_;
        answerAndClose(waiting, 431, "headers_too_large",
                       "the request head exceeds " + std::to_string(kMaxHead) + " bytes");
        drop = true;
    }
    return false;
}

void ConnectionHub::run() {
    std::vector<pollfd> fds;
    while (!stopping_.load()) {
        {
            std::lock_guard lock(mutex_);
            for (Connection& connection : resumed_) {
                if (connection.socket.impl())
                    sockets::holdNonBlocking(connection.socket.impl()->sockfd());
                Waiting waiting;
                waiting.connection = std::move(connection);
                waiting.since = std::chrono::steady_clock::now();
                waiting_.push_back(std::move(waiting));
            }
            resumed_.clear();
        }
        if (!accepting_.load() && !listeners_.empty()) {
            for (auto& listener : listeners_) listener.socket.close();
            listeners_.clear();
        }
        const auto now = std::chrono::steady_clock::now();
        fireDeadlines(now);
        // Deadlines of the waiting: quiet close when idle, 408 for a stalled head.
        for (Waiting& waiting : waiting_) {
            if (waiting.started && now - waiting.firstByte > limits_.headerTimeout) {
                ++headerTimeouts_;
                answerAndClose(waiting, 408, "request_timeout",
                               "the request head did not arrive within " +
                                   std::to_string(limits_.headerTimeout.count()) + " ms");
                waiting.connection.socket = Poco::Net::StreamSocket();
            } else if (!waiting.started && now - waiting.since > limits_.keepAlive) {
                waiting.connection.socket = Poco::Net::StreamSocket();  // closes it
            }
        }
        std::erase_if(waiting_, [](const Waiting& w) {
            return !w.connection.socket.impl() ||
                   w.connection.socket.impl()->sockfd() == sockets::kInvalid;
        });
        // A resting partial head (Windows) is not polled: it would stay readable.
        std::stable_partition(waiting_.begin(), waiting_.end(),
                              [now](const Waiting& w) { return w.quietUntil <= now; });
        fds.assign(1, pollfd{wakeup_.pollHandle(), POLLIN, 0});
        for (auto& listener : listeners_)
            fds.push_back(pollfd{listener.socket.impl()->sockfd(), POLLIN, 0});
        auto timeout = 100ms;  // until the soonest resting head is due, at most
        for (Waiting& waiting : waiting_) {
            if (waiting.quietUntil > now) {
                const auto due =
                    std::chrono::duration_cast<std::chrono::milliseconds>(waiting.quietUntil - now);
                timeout = std::clamp<std::chrono::milliseconds>(due, 1ms, timeout);
                continue;
            }
            fds.push_back(pollfd{waiting.connection.socket.impl()->sockfd(), POLLIN, 0});
        }
        sockets::pollAll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
        if (fds[0].revents & POLLIN) wakeup_.drain();
        for (size_t i = 0; i < listeners_.size(); ++i) {
            if (fds[1 + i].revents & POLLIN) acceptFrom(listeners_[i]);
        }
        // Only the connections polled above (acceptFrom appended new ones after them).
        const size_t polled = fds.size() - 1 - listeners_.size();
        std::vector<Waiting> still;
        still.reserve(waiting_.size());
        for (size_t i = 0; i < waiting_.size(); ++i) {
            Waiting& waiting = waiting_[i];
            const bool readable =
                i < polled
                    ? (fds[1 + listeners_.size() + i].revents & (POLLIN | POLLHUP | POLLERR)) != 0
                    : waiting.quietUntil != SteadyTime{} &&
                          waiting.quietUntil <= std::chrono::steady_clock::now();
            bool drop = false;
            if (readable && headComplete(waiting, drop)) {
                sockets::releaseBlocking(waiting.connection.socket.impl()->sockfd());
                ready_(std::move(waiting.connection));
                continue;
            }
            if (!drop) still.push_back(std::move(waiting));
        }
        waiting_.swap(still);
    }
    waiting_.clear();  // closes every waiting connection
    for (auto& listener : listeners_) listener.socket.close();
    listeners_.clear();
}

}  // namespace lojal
