#pragma once
// Shuts a socket down from another thread so that a call blocked on it returns
// at once (cancel, free, stop): the one place liblojal's socket calls differ
// between POSIX and Windows.

#include <Poco/Net/Net.h>  // before SocketDefs.h: it sets what SocketDefs.h needs
#include <Poco/Net/SocketDefs.h>

namespace lojal::pos {

using NativeSocket = poco_socket_t;
constexpr NativeSocket kNoSocket = POCO_INVALID_SOCKET;

inline void shutdownSocket(NativeSocket socket) {
    if (socket == kNoSocket) return;
#ifdef _WIN32
    ::shutdown(socket, SD_BOTH);
#else
    ::shutdown(socket, SHUT_RDWR);
#endif
}

}  // namespace lojal::pos
