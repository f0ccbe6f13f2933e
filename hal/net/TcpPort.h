#pragma once
// Devices on the store LAN: a TCP connection as a hal::Port, for card terminals
// that speak ZVT over TCP/IP (PA00P016 2.2: the register opens and closes the
// connection, default port 20007). Plain POSIX sockets: connect with a time
// limit, TCP_NODELAY (messages are small and a cashier waits for each), keep-
// alive so a terminal that lost power is noticed, and MSG_NOSIGNAL so a closed
// connection is an error, never a SIGPIPE.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "port/Port.h"

namespace lojal::hal {

struct TcpLocation {
    std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
    int port = 0;
};

// "tcp://HOST:PORT" ("tcp://[::1]:20007" for IPv6); nullopt for anything else,
// and for a port outside 1-65535.
std::optional<TcpLocation> parseTcpLocation(const std::string& text);
bool isTcpLocation(const std::string& text);  // starts with "tcp://"

// Connects within timeout. Refused, unreachable or too slow -> notFound (the
// device is not there now; the caller retries), a name that does not resolve
// -> notFound too, with the resolver's message.
Result<std::unique_ptr<Port>> connectTcp(const TcpLocation& where,
                                         std::chrono::milliseconds timeout);

}  // namespace lojal::hal
