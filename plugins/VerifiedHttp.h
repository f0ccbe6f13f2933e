#pragma once
// One place for the HTTP that plug-ins (SMS providers, CRM connectors) speak.
// Sessions: https verifies the chain against caFile and the host name, TLS 1.2
// or newer; there is no way to switch verification off.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "DefaultCaFile.h"

namespace lojal::plugins {

struct TlsSettings {
    std::string caFile = kDefaultCaFile;  // "" on Windows: the machine's Trusted Root store
    std::string clientCertFile;           // PEM; with clientKeyFile: a client certificate (mTLS)
    std::string clientKeyFile;
};

// A client context that verifies the chain against tls.caFile (on Windows, an
// empty caFile: the Trusted Root store) and the host name, TLS 1.2 or newer
// (initialises OpenSSL on first use).
Poco::Net::Context::Ptr verifiedClientContext(const TlsSettings& tls);

class SessionFactory {
  public:
    explicit SessionFactory(std::string caFile) { tls_.caFile = std::move(caFile); }
    explicit SessionFactory(TlsSettings tls) : tls_(std::move(tls)) {}
    std::unique_ptr<Poco::Net::HTTPClientSession> open(const Poco::URI& uri, int timeoutMs);

  private:
    TlsSettings tls_;
    std::mutex contextMutex_;          // sessions open on several threads
    Poco::Net::Context::Ptr context_;  // made on the first https use
};

// One request and its whole answer. nullopt (with why) when no answer came:
// refused, reset, timed out, TLS verification failed.
struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string retryAfter;  // the header, "" when absent
};
struct HttpCall {
    std::string method = "GET";
    Poco::URI uri;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // sent with contentType when not empty (or the method is POST/PUT)
    std::string contentType = "application/json";
    int timeoutMs = 5000;
};
std::optional<HttpAnswer> exchange(SessionFactory& sessions, const HttpCall& call,
                                   std::string& why);

// Seconds from a Retry-After header: delta-seconds or an HTTP date; 0 if neither.
int parseRetryAfter(const std::string& value);

}  // namespace lojal::plugins
