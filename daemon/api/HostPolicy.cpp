#include "api/HostPolicy.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>

namespace lojal {
namespace {

// The name of "name:port" / "[v6]:port" / "name", lower case, brackets gone;
// "" when it is malformed.
std::string nameOf(std::string_view host) {
    std::string text(host);
    if (!text.empty() && text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos) return "";
        const std::string rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return "";
        return Poco::toLower(text.substr(1, close - 1));
    }
    const size_t colon = text.find(':');
    if (colon != std::string::npos) {
        if (text.find(':', colon + 1) != std::string::npos) return "";  // bare IPv6: malformed
        text = text.substr(0, colon);
    }
    return Poco::toLower(text);
}

bool isIpLiteral(const std::string& name) {
    Poco::Net::IPAddress address;
    return Poco::Net::IPAddress::tryParse(name, address);
}

}  // namespace

HostPolicy::HostPolicy(const ServerConfig& config) {
    std::vector<ListenAddress> all = config.listen;
    all.insert(all.end(), config.tlsListen.begin(), config.tlsListen.end());
    for (const ListenAddress& address : all) {
        Poco::Net::IPAddress ip;
        if (!Poco::Net::IPAddress::tryParse(address.host, ip)) continue;
        if (ip.isWildcard()) anyIpLiteral_ = true;
        if (ip.isLoopback()) names_.insert("localhost");
        names_.insert(Poco::toLower(address.host));
    }
    for (const std::string& name : config.hostNames) names_.insert(Poco::toLower(name));
}

bool HostPolicy::allowsName(std::string name) const {
    if (name.empty()) return false;
    if (names_.count(name)) return true;
    return anyIpLiteral_ && isIpLiteral(name);
}

bool HostPolicy::allowsHost(std::string_view hostHeader) const {
    return allowsName(nameOf(hostHeader));
}

bool HostPolicy::allowsOrigin(std::string_view origin) const {
    std::string_view rest;
    if (origin.rfind("http://", 0) == 0) {
        rest = origin.substr(7);
    } else if (origin.rfind("https://", 0) == 0) {
        rest = origin.substr(8);
    } else {
        return false;  // "null", file:, extensions: not a page of ours
    }
    if (rest.find('/') != std::string_view::npos) return false;  // an origin has no path
    return allowsHost(rest);
}

}  // namespace lojal
