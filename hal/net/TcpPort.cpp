#include "net/TcpPort.h"

#ifndef _WIN32
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/Sockets.h"

namespace lojal::hal {
namespace {

Error socketError(const std::string& what, int error) {
    const bool away = error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH ||
                      error == ETIMEDOUT || error == ECONNRESET || error == EPIPE;
    return Error{away ? ErrorCode::notFound : ErrorCode::io,
                 what + ": " + sockets::describe(error)};
}

class TcpPort : public Port {
  public:
    TcpPort(sockets::Handle fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
    ~TcpPort() override { sockets::close(fd_); }

    Result<size_t> read(uint8_t* buffer, size_t capacity,
                        std::chrono::milliseconds timeout) override {
        pollfd p{fd_, POLLIN, 0};
        const int ready = sockets::pollAll(&p, 1, static_cast<int>(timeout.count()));
        if (ready < 0) {
            const int error = sockets::lastError();
            return error == EINTR ? Result<size_t>(size_t{0})
                                  : Result<size_t>(socketError("poll", error));
        }
        if (ready == 0) return size_t{0};
        const ssize_t n = sockets::receiveSome(fd_, buffer, capacity);
        const int error = n < 0 ? sockets::lastError() : 0;
        if (n > 0) return static_cast<size_t>(n);
        if (n < 0 && sockets::wouldBlock(error)) return size_t{0};
        if (n < 0) return socketError("read from " + peer_, error);
        return Error{ErrorCode::io, peer_ + " closed the connection"};
    }

    Result<size_t> write(const uint8_t* data, size_t size,
                         std::chrono::milliseconds timeout) override {
        size_t done = 0;
        while (done < size) {
            pollfd p{fd_, POLLOUT, 0};
            if (sockets::pollAll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
            const ssize_t n = sockets::sendSome(fd_, data + done, size - done);
            const int error = n < 0 ? sockets::lastError() : 0;
            if (n < 0 && !sockets::wouldBlock(error))
                return socketError("write to " + peer_, error);
            if (n > 0) done += static_cast<size_t>(n);
        }
        return done;
    }

    // A stream has nothing stale to drop: the connection is new.
    Status flushInput() override { return okStatus(); }
    std::string backend() const override { return "tcp"; }
    PortKind kind() const override { return PortKind::tcp; }

  private:
    sockets::Handle fd_;
    std::string peer_;
};

// One attempt at one resolved address; the socket on success.
// A non-blocking socket, not inherited by child processes; kInvalid on error.
sockets::Handle openSocket(const addrinfo& address) {
#ifdef _WIN32
    const sockets::Handle fd =
        ::WSASocketW(address.ai_family, address.ai_socktype, address.ai_protocol, nullptr, 0,
                     WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (fd != sockets::kInvalid) sockets::setBlocking(fd, false);
    return fd;
#else
    return ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    address.ai_protocol);
#endif
}

Result<sockets::Handle> connectOne(const addrinfo& address, std::chrono::milliseconds timeout) {
    const sockets::Handle fd = openSocket(address);
    if (fd == sockets::kInvalid) return socketError("socket", sockets::lastError());
    if (::connect(fd, address.ai_addr, static_cast<int>(address.ai_addrlen)) != 0) {
        const int error = sockets::lastError();
        if (error != EINPROGRESS && error != EWOULDBLOCK) {  // Winsock says "would block"
            sockets::close(fd);
            return socketError("connect", error);
        }
    }
    pollfd p{fd, POLLOUT, 0};
    const int ready = sockets::pollAll(&p, 1, static_cast<int>(timeout.count()));
    int error = 0;
    socklen_t length = sizeof error;
    if (ready <= 0) {
        error = ready == 0 ? ETIMEDOUT : sockets::lastError();
    } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) !=
               0) {
        error = sockets::lastError();
    }
#ifdef _WIN32
    if (error == WSAECONNREFUSED) error = ECONNREFUSED;  // SO_ERROR is Winsock's number
    if (error == WSAETIMEDOUT) error = ETIMEDOUT;
#endif
    if (error != 0) {
        sockets::close(fd);
        return socketError("connect", error);
    }
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, reinterpret_cast<const char*>(&on), sizeof on);
    return fd;
}

}  // namespace

bool isTcpLocation(const std::string& text) {
    return text.rfind("tcp://", 0) == 0;
}

std::optional<TcpLocation> parseTcpLocation(const std::string& text) {
    if (!isTcpLocation(text)) return std::nullopt;
    const std::string rest = text.substr(6);
    TcpLocation where;
    size_t colon;
    if (!rest.empty() && rest.front() == '[') {
        const size_t close = rest.find(']');
        if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return std::nullopt;
        where.host = rest.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = rest.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        where.host = rest.substr(0, colon);
        if (where.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs []
    }
    if (where.host.empty() || where.host.size() > 253) return std::nullopt;
    for (char c : where.host) {
        const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                             c == ':' || c == '_';
        if (!allowed) return std::nullopt;
    }
    const std::string port = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), where.port);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || where.port < 1 ||
        where.port > 65535)
        return std::nullopt;
    return where;
}

Result<std::unique_ptr<Port>> connectTcp(const TcpLocation& where,
                                         std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(where.port);
    if (const int rc = ::getaddrinfo(where.host.c_str(), service.c_str(), &hints, &found);
        rc != 0) {
#ifdef _WIN32
        const char* reason = ::gai_strerrorA(rc);
#else
        const char* reason = ::gai_strerror(rc);
#endif
        return Error{ErrorCode::notFound, "resolve " + where.host + ": " + reason};
    }
    const std::string peer = where.host + ":" + service;
    Error last{ErrorCode::notFound, "connect " + peer + ": no address"};
    for (const addrinfo* address = found; address; address = address->ai_next) {
        auto fd = connectOne(*address, timeout);
        if (fd) {
            ::freeaddrinfo(found);
            return std::unique_ptr<Port>(std::make_unique<TcpPort>(*fd, peer));
        }
        last = Error{fd.error().code, fd.error().message + " (" + peer + ")"};
    }
    ::freeaddrinfo(found);
    return last;
}

}  // namespace lojal::hal
