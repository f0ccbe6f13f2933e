#include "core/Sockets.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#ifdef _WIN32
#include <mswsock.h>
#else
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>
#endif

namespace lojal::sockets {

#ifdef _WIN32

void startNetworking() {
    static const bool started = [] {
        WSADATA data;
        return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    (void)started;
}

int pollAll(pollfd* fds, size_t count, int timeoutMs) {
    return ::WSAPoll(fds, static_cast<ULONG>(count), timeoutMs);
}

int lastError() {
    switch (const int error = ::WSAGetLastError()) {
        case WSAEWOULDBLOCK: return EWOULDBLOCK;
        case WSAEINPROGRESS: return EINPROGRESS;
        case WSAEINTR: return EINTR;
        case WSAECONNREFUSED: return ECONNREFUSED;
        case WSAECONNRESET: return ECONNRESET;
        case WSAECONNABORTED: return ECONNABORTED;
        case WSAETIMEDOUT: return ETIMEDOUT;
        case WSAEHOSTUNREACH: return EHOSTUNREACH;
        case WSAENETUNREACH: return ENETUNREACH;
        case WSAENOTCONN: return ENOTCONN;
        case WSAESHUTDOWN: return EPIPE;
        default: return error;  // unmapped: Winsock's own number, shown as such
    }
}

std::string describe(int error) {
    switch (error) {
        case ECONNREFUSED: return "connection refused";
        case ECONNRESET: return "connection reset";
        case ETIMEDOUT: return "timed out";
        case EHOSTUNREACH: return "host unreachable";
        case ENETUNREACH: return "network unreachable";
        default: return "socket error " + std::to_string(error);
    }
}

void close(Handle socket) {
    if (socket != kInvalid) ::closesocket(socket);
}

void setBlocking(Handle socket, bool blocking) {
    u_long nonBlocking = blocking ? 0 : 1;
    ::ioctlsocket(socket, FIONBIO, &nonBlocking);
}

Handle acceptOne(Handle listener, sockaddr_storage& peer) {
    int length = sizeof peer;
    const Handle socket = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &length);
    if (socket == kInvalid) return kInvalid;
    // Accepted from a non-blocking listener, it is non-blocking on Windows:
    // blocking as on Linux until the caller holds it (holdNonBlocking).
    setBlocking(socket, true);
    ::SetHandleInformation(reinterpret_cast<HANDLE>(socket), HANDLE_FLAG_INHERIT, 0);
    return socket;
}

// Windows has no MSG_DONTWAIT: the socket is made non-blocking for the one
// call. Only one thread works a socket at a time (the hub or the reactor), so
// nobody sees the socket in between.
ssize_t receiveNow(Handle socket, void* buffer, size_t size, bool peek) {
    setBlocking(socket, false);
    const int n =
        ::recv(socket, static_cast<char*>(buffer), static_cast<int>(size), peek ? MSG_PEEK : 0);
    const int error = n < 0 ? ::WSAGetLastError() : 0;
    setBlocking(socket, true);
    ::WSASetLastError(error);
    return n;
}

ssize_t sendNow(Handle socket, const void* data, size_t size) {
    setBlocking(socket, false);
    const int n = ::send(socket, static_cast<const char*>(data), static_cast<int>(size), 0);
    const int error = n < 0 ? ::WSAGetLastError() : 0;
    setBlocking(socket, true);
    ::WSASetLastError(error);
    return n;
}

ssize_t receiveSome(Handle socket, void* buffer, size_t size, bool peek) {
    return ::recv(socket, static_cast<char*>(buffer), static_cast<int>(size), peek ? MSG_PEEK : 0);
}

void holdNonBlocking(Handle socket) {
    setBlocking(socket, false);
}
void releaseBlocking(Handle socket) {
    setBlocking(socket, true);
}

ssize_t sendSome(Handle socket, const void* data, size_t size) {
    return ::send(socket, static_cast<const char*>(data), static_cast<int>(size), 0);
}

constexpr int kShutRead = SD_RECEIVE, kShutWrite = SD_SEND, kShutBoth = SD_BOTH;

bool setReceiveLowWater(Handle, int) {
    return false;  // Winsock refuses SO_RCVLOWAT (WSAENOPROTOOPT)
}

// A loopback pair made by listening on an ephemeral port of 127.0.0.1: the
// receiver is polled, the sender written to. If it cannot be made the loops
// still run on their poll timeouts, only later to notice a wake-up.
Wakeup::Wakeup() {
    const Handle listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == kInvalid) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
        ::listen(listener, 1) == 0) {
        sender_ = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (sender_ != kInvalid &&
            ::connect(sender_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
            receiver_ = ::accept(listener, nullptr, nullptr);
            setBlocking(receiver_, false);
            setBlocking(sender_, false);
            const BOOL on = TRUE;
            ::setsockopt(sender_, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on),
                         sizeof on);
        }
    }
    ::closesocket(listener);
}

Wakeup::~Wakeup() {
    close(receiver_);
    close(sender_);
}

void Wakeup::signal() {
    const char one = 1;
    if (sender_ != kInvalid) ::send(sender_, &one, 1, 0);  // a full buffer is wake enough
}

void Wakeup::drain() {
    char sink[256];
    while (receiver_ != kInvalid && ::recv(receiver_, sink, sizeof sink, 0) > 0) {
    }
}

#else

void startNetworking() {}

int pollAll(pollfd* fds, size_t count, int timeoutMs) {
    return ::poll(fds, count, timeoutMs);
}

int lastError() {
    return errno;
}

std::string describe(int error) {
    return std::strerror(error);
}

void close(Handle socket) {
    if (socket >= 0) ::close(socket);
}

void setBlocking(Handle socket, bool blocking) {
    const int flags = ::fcntl(socket, F_GETFL);
    if (flags >= 0) ::fcntl(socket, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK);
}

Handle acceptOne(Handle listener, sockaddr_storage& peer) {
    socklen_t length = sizeof peer;
    return ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
}

ssize_t receiveNow(Handle socket, void* buffer, size_t size, bool peek) {
    return ::recv(socket, buffer, size, MSG_DONTWAIT | (peek ? MSG_PEEK : 0));
}

ssize_t sendNow(Handle socket, const void* data, size_t size) {
    return ::send(socket, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
}

ssize_t receiveSome(Handle socket, void* buffer, size_t size, bool peek) {
    return receiveNow(socket, buffer, size, peek);
}

void holdNonBlocking(Handle) {}
void releaseBlocking(Handle) {}

ssize_t sendSome(Handle socket, const void* data, size_t size) {
    return sendNow(socket, data, size);
}

constexpr int kShutRead = SHUT_RD, kShutWrite = SHUT_WR, kShutBoth = SHUT_RDWR;

bool setReceiveLowWater(Handle socket, int bytes) {
    return ::setsockopt(socket, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0;
}

Wakeup::Wakeup() {
    receiver_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Wakeup::~Wakeup() {
    close(receiver_);
}

void Wakeup::signal() {
    const uint64_t one = 1;
    (void)!::write(receiver_, &one, sizeof one);
}

void Wakeup::drain() {
    uint64_t count = 0;
    (void)!::read(receiver_, &count, sizeof count);
}

#endif

void shutdownRead(Handle socket) {
    ::shutdown(socket, kShutRead);
}
void shutdownWrite(Handle socket) {
    ::shutdown(socket, kShutWrite);
}
void shutdownBoth(Handle socket) {
    ::shutdown(socket, kShutBoth);
}

bool wouldBlock(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINPROGRESS || error == EINTR;
}

}  // namespace lojal::sockets
