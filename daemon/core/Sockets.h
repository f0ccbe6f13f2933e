#pragma once
// The few raw socket calls the API's reactors and the TCP port make, on POSIX
// and on Winsock. Everything above this header reads the same on both; the
// differences (no eventfd, no SO_RCVLOWAT, no MSG_DONTWAIT on Windows) live in
// Sockets.cpp, with why each choice was made.

#include <sys/types.h>  // ssize_t (mingw has it too)
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <poll.h>
#include <sys/socket.h>
#endif

#include <cstddef>
#include <string>

namespace lojal::sockets {

#ifdef _WIN32
using Handle = SOCKET;
inline constexpr Handle kInvalid = INVALID_SOCKET;
#else
using Handle = int;
inline constexpr Handle kInvalid = -1;
#endif

// Winsock's start-up (WSAStartup), once per process, before any socket: Poco's
// static library does not run its own. Nothing to do elsewhere.
void startNetworking();

// ::poll, or WSAPoll on Windows; the same pollfd and POLL* names.
int pollAll(pollfd* fds, size_t count, int timeoutMs);

// The last socket error as an errno value (Winsock's codes mapped to theirs),
// so callers compare with EWOULDBLOCK, ECONNREFUSED, ... on both platforms.
int lastError();
bool wouldBlock(int error);  // EAGAIN, EWOULDBLOCK, EINPROGRESS or EINTR
std::string describe(int error);

void close(Handle socket);
void setBlocking(Handle socket, bool blocking);
// Accepts one waiting connection, not inherited by child processes;
// kInvalid when none is waiting (the listener is non-blocking) or on error.
Handle acceptOne(Handle listener, sockaddr_storage& peer);

// Non-blocking single calls on a socket that may itself be blocking; a hang-up
// never raises SIGPIPE. peek leaves the bytes for the next reader.
ssize_t receiveNow(Handle socket, void* buffer, size_t size, bool peek = false);
ssize_t sendNow(Handle socket, const void* data, size_t size);
// The same on a socket already made non-blocking (setBlocking(false) or
// holdNonBlocking), which it stays.
ssize_t receiveSome(Handle socket, void* buffer, size_t size, bool peek = false);
ssize_t sendSome(Handle socket, const void* data, size_t size);

// A socket a poll loop holds between requests is non-blocking where the
// platform has no per-call flag (Windows: no MSG_DONTWAIT, and switching the
// mode around every call costs two more calls): holdNonBlocking when it
// arrives, releaseBlocking before a worker reads it. No-ops elsewhere.
void holdNonBlocking(Handle socket);
void releaseBlocking(Handle socket);

void shutdownRead(Handle socket);
void shutdownWrite(Handle socket);
void shutdownBoth(Handle socket);

// Readable for poll only once `bytes` are waiting. False where the platform
// cannot (Windows): the caller then polls a partial head on a timer instead.
bool setReceiveLowWater(Handle socket, int bytes);

// Something a poll loop can wait on beside its sockets, set from any thread:
// an eventfd on Linux; on Windows, the receiving end of a loopback TCP pair
// (WSAPoll takes sockets only).
class Wakeup {
  public:
    Wakeup();
    ~Wakeup();
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;

    Handle pollHandle() const { return receiver_; }
    void signal();
    void drain();  // after poll saw it readable

  private:
    Handle receiver_ = kInvalid;
    Handle sender_ = kInvalid;  // Windows only
};

}  // namespace lojal::sockets
