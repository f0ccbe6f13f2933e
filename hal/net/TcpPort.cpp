#include "net/TcpPort.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace lojal::hal {
namespace {

Error socketError(const std::string& what, int error) {
    const bool away = error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH ||
                      error == ETIMEDOUT || error == ECONNRESET || error == EPIPE;
    return Error{away ? ErrorCode::notFound : ErrorCode::io, what + ": " + std::strerror(error)};
}

class TcpPort : public Port {
  public:
    TcpPort(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
    ~TcpPort() override { ::close(fd_); }

    Result<size_t> read(uint8_t* buffer, size_t capacity,
                        std::chrono::milliseconds timeout) override {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready < 0)
            return errno == EINTR ? Result<size_t>(size_t{0})
                                  : Result<size_t>(socketError("poll", errno));
        if (ready == 0) return size_t{0};
        const ssize_t n = ::recv(fd_, buffer, capacity, 0);
        if (n > 0) return static_cast<size_t>(n);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return size_t{0};
        if (n < 0) return socketError("read from " + peer_, errno);
        return Error{ErrorCode::io, peer_ + " closed the connection"};
    }

    Result<size_t> write(const uint8_t* data, size_t size,
                         std::chrono::milliseconds timeout) override {
        size_t done = 0;
        while (done < size) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
            const ssize_t n = ::send(fd_, data + done, size - done, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return socketError("write to " + peer_, errno);
            if (n > 0) done += static_cast<size_t>(n);
        }
        return done;
    }

    // A stream has nothing stale to drop: the connection is new.
    Status flushInput() override { return okStatus(); }
    std::string backend() const override { return "tcp"; }
    PortKind kind() const override { return PortKind::tcp; }

  private:
    int fd_;
    std::string peer_;
};

// One attempt at one resolved address; the socket on success.
Result<int> connectOne(const addrinfo& address, std::chrono::milliseconds timeout) {
    const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                            address.ai_protocol);
    if (fd < 0) return socketError("socket", errno);
    if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
        const int error = errno;
        ::close(fd);
        return socketError("connect", error);
    }
    pollfd p{fd, POLLOUT, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    int error = 0;
    socklen_t length = sizeof error;
    if (ready <= 0) {
        error = ready == 0 ? ETIMEDOUT : errno;
    } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    if (error != 0) {
        ::close(fd);
        return socketError("connect", error);
    }
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
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
        return Error{ErrorCode::notFound, "resolve " + where.host + ": " + ::gai_strerror(rc)};
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
