#include "api/WsReactor.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/String.h>

#include <algorithm>
#include <cerrno>

namespace lojal {

namespace {

constexpr ssize_t kFailed = -1000;  // the connection is broken (any other negative: try later)

// Non-blocking reads and writes: the descriptor for plain connections, the TLS
// layer (Poco, which answers negative for "would block") for HTTPS ones.
ssize_t receiveFrom(bool tls, Poco::Net::StreamSocket& socket, sockets::Handle fd, char* buffer,
                    size_t size) {
    if (!tls) {
        const ssize_t n = sockets::receiveSome(fd, buffer, size);
        if (n < 0 && !sockets::wouldBlock(sockets::lastError())) return kFailed;
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

ssize_t sendTo(bool tls, Poco::Net::StreamSocket& socket, sockets::Handle fd, const char* data,
               size_t size) {
    if (!tls) {
        const ssize_t n = sockets::sendSome(fd, data, size);
        if (n < 0 && !sockets::wouldBlock(sockets::lastError())) return kFailed;
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

// A client may send this much in one go before other connections get a turn.
constexpr size_t kReadBudgetPerPass = 4 * 1024 * 1024;

}  // namespace

void WsConnection::close(uint16_t code, const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    out_ += ws::closeFrame(code, reason);
}

WsReactor::WsReactor(std::string name, Limits limits)
    : name_(std::move(name)), limits_(limits), log_(Poco::Logger::get("lojal." + name_)) {}

WsReactor::~WsReactor() {
    stop();
}

void WsReactor::start() {
    thread_ = std::thread([this] { run(); });
}

void WsReactor::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    wake();
    thread_.join();
}

void WsReactor::wake() {
    wakeup_.signal();
}

bool WsReactor::admit(const std::string& token) {
    std::lock_guard lock(mutex_);
    int& count = perToken_[token];
    if (count >= limits_.connectionsPerToken) return false;
    ++count;
    return true;
}

void WsReactor::release(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (auto found = perToken_.find(token); found != perToken_.end() && --found->second <= 0)
        perToken_.erase(found);
}

void WsReactor::add(Poco::Net::StreamSocket socket, const std::string& token,
                    std::shared_ptr<void> hold, std::unique_ptr<WsSession> session) {
    auto entry = std::make_unique<Entry>();
    WsConnection& connection = entry->connection;
    connection.fd_ = socket.impl()->sockfd();
    connection.tls_ = socket.secure();
    socket.setBlocking(false);  // reads and writes must never wait
    connection.socket_ = std::move(socket);
    connection.token_ = token;
    connection.hold_ = std::move(hold);
    connection.reader_.emplace(limits_.maxMessage);
    connection.assembler_.emplace(limits_.maxMessage);
    entry->session = std::move(session);
    {
        std::lock_guard lock(mutex_);
        connection.id_ = nextId_++;
        incoming_.push_back(std::move(entry));
    }
    log_.debug("%s: %s connected", name_, token);
    ++open_;
    wake();
}

// Client frames: a ping gets its pong, a close gets 1000 back (RFC 6455 5.5.1),
// whole data messages go to the session, a malformed stream gets the close
// code the reader names.
void WsReactor::serviceReads(Entry& entry) {
    WsConnection& connection = entry.connection;
    char buffer[16384];
    size_t budget = kReadBudgetPerPass;
    while (budget > 0) {
        const ssize_t n =
            receiveFrom(connection.tls_, connection.socket_, connection.fd_, buffer, sizeof buffer);
        if (n == 0 || n == kFailed) {
            connection.gone_ = true;
            return;
        }
        if (n < 0) return;                  // nothing more now
        if (connection.closing_) continue;  // waiting to send our close: the rest is noise
        budget -= std::min(budget, static_cast<size_t>(n));
        auto result = connection.reader_->feed(buffer, static_cast<size_t>(n));
        for (ws::Frame& frame : result.frames) {
            auto joined = connection.assembler_->add(std::move(frame));
            if (joined.error) return connection.close(*joined.error, joined.reason);
            if (!joined.message) continue;
            const ws::Frame& message = *joined.message;
            if (message.opcode == ws::kPing) {
                connection.out_ += ws::serverFrame(ws::kPong, message.payload);
            } else if (message.opcode == ws::kClose) {
                return connection.close(ws::kNormalClose, "");
            } else if (message.opcode == ws::kText || message.opcode == ws::kBinary) {
                entry.session->onMessage(connection, message);
                if (connection.closing_) return;
            }
        }
        if (result.error) return connection.close(*result.error, result.reason);
    }
}

void WsReactor::flush(WsConnection& connection) {
    while (!connection.out_.empty()) {
        const ssize_t n = sendTo(connection.tls_, connection.socket_, connection.fd_,
                                 connection.out_.data(), connection.out_.size());
        if (n > 0) {
            connection.out_.erase(0, static_cast<size_t>(n));
            connection.progress_ = std::chrono::steady_clock::now();
            continue;
        }
        if (n == kFailed || n == 0) connection.gone_ = true;
        return;  // the socket takes no more now
    }
}

void WsReactor::run() {
    std::vector<pollfd> fds;
    int roundsStopping = 0;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            for (auto& entry : incoming_) entries_.push_back(std::move(entry));
            incoming_.clear();
        }
        const bool stopping = stopping_.load();
        const auto now = std::chrono::steady_clock::now();
        for (auto& entry : entries_) {
            WsConnection& connection = entry->connection;
            if (stopping) connection.close(ws::kGoingAway, "lojald is stopping");
            if (!connection.closing_) entry->session->onRound(connection);
            if (connection.out_.empty()) connection.progress_ = now;
            flush(connection);
            if (connection.out_.size() >= limits_.queueBytes &&
                now - connection.progress_ > limits_.stalledAfter) {
                connection.gone_ = true;
                ++droppedSlow_;
            }
        }
        // Drop what is over: gone, or closed with everything written.
        for (auto it = entries_.begin(); it != entries_.end();) {
            WsConnection& connection = (*it)->connection;
            if (connection.gone_ || (connection.closing_ && connection.out_.empty())) {
                log_.information("%s: %s %s", name_, connection.token_,
                                 std::string(connection.gone_ ? "dropped" : "closed"));
                (*it)->session->onEnd(connection);
                release(connection.token_);
                --open_;
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
        if (stopping && entries_.empty()) return;
        fds.assign(1, pollfd{wakeup_.pollHandle(), POLLIN, 0});
        for (auto& entry : entries_) {
            short events = POLLIN;
            if (!entry->connection.out_.empty()) events |= POLLOUT;
            fds.push_back(pollfd{entry->connection.fd_, events, 0});
        }
        // At shutdown, a client that reads nothing gets a second to take its close.
        sockets::pollAll(fds.data(), fds.size(), stopping ? 100 : 1000);
        if (fds[0].revents & POLLIN) wakeup_.drain();
        for (size_t i = 0; i < entries_.size(); ++i) {
            // TLS may hold decrypted bytes the descriptor does not show: always try.
            if (entries_[i]->connection.tls_ || (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                serviceReads(*entries_[i]);
        }
        // About a second after the stop, whoever has not taken the close is dropped.
        if (stopping && ++roundsStopping > 10) {
            for (auto& entry : entries_) entry->connection.gone_ = true;
        }
    }
}

namespace {

bool hasListToken(const std::string& list, const std::string& token) {
    const std::string lower = Poco::toLower(list);
    for (size_t at = 0; (at = lower.find(token, at)) != std::string::npos; ++at) {
        const bool start = at == 0 || lower[at - 1] == ',' || lower[at - 1] == ' ';
        const size_t end = at + token.size();
        if (start && (end == lower.size() || lower[end] == ',' || lower[end] == ' ')) return true;
    }
    return false;
}

}  // namespace

void sendRefusal(Poco::Net::HTTPServerResponse& response, const Response& refusal) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(refusal.status));
    response.setContentType(refusal.contentType);
    response.setContentLength64(static_cast<Poco::Int64>(refusal.body.size()));
    response.send() << refusal.body;
}

std::optional<Poco::Net::StreamSocket> acceptWebSocket(
    Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    const std::string key = request.get("Sec-WebSocket-Key", "");
    if (!hasListToken(request.get("Upgrade", ""), "websocket") ||
        !hasListToken(request.get("Connection", ""), "upgrade") ||
        request.get("Sec-WebSocket-Version", "") != "13" || key.size() != 24 /* base64 of 16 */) {
        sendRefusal(response,
                    errorResponse(400, "websocket_required",
                                  "connect with a WebSocket client (RFC 6455, version 13)"));
        return std::nullopt;
    }
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS);
    response.set("Upgrade", "websocket");
    response.set("Connection", "Upgrade");
    response.set("Sec-WebSocket-Accept", ws::acceptKey(key));
    for (const auto& [name, value] : headers) response.set(name, value);
    response.send().flush();
    return static_cast<Poco::Net::HTTPServerRequestImpl&>(request).detachSocket();
}

}  // namespace lojal
