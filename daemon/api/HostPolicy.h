#pragma once
// Which Host and Origin headers lojald answers, pure. A web page on another site
// can make a browser send requests to 127.0.0.1 (DNS rebinding: its own name
// resolves there) or open a WebSocket to it: the browser then sends that site's
// name as Host and its origin as Origin, which this policy refuses.
//
// Host names allowed: every listen address (IPv6 in brackets), "localhost" when
// one listens on loopback, any IP literal when one listens on a wildcard address
// (0.0.0.0, ::), and the names in server.host_names. Ports are not compared:
// the name is what rebinding changes. An Origin is allowed when it is http(s)
// with an allowed host; "null" and other schemes are not.

#include <set>
#include <string>
#include <string_view>

#include "config/Config.h"

namespace lojal {

class HostPolicy {
  public:
    explicit HostPolicy(const ServerConfig& config);
    // hostHeader as sent: "name", "name:port", "1.2.3.4:8470", "[::1]:8470".
    bool allowsHost(std::string_view hostHeader) const;
    bool allowsOrigin(std::string_view origin) const;

  private:
    bool allowsName(std::string name) const;
    std::set<std::string> names_;  // lower case, IPv6 without brackets
    bool anyIpLiteral_ = false;
};

}  // namespace lojal
