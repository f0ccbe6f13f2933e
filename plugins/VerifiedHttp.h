#pragma once
// One place for the HTTP that plug-ins (SMS providers, CRM connectors) speak.
// Sessions: https verifies the chain against caFile and the host name, TLS 1.2
// or newer; there is no way to switch verification off.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <memory>
#include <string>

namespace lojal::plugins {

class SessionFactory {
  public:
    explicit SessionFactory(std::string caFile) : caFile_(std::move(caFile)) {}
    std::unique_ptr<Poco::Net::HTTPClientSession> open(const Poco::URI& uri, int timeoutMs);

  private:
    std::string caFile_;
    Poco::Net::Context::Ptr context_;  // made on the first https use
};

// Seconds from a Retry-After header: delta-seconds or an HTTP date; 0 if neither.
int parseRetryAfter(const std::string& value);

}  // namespace lojal::plugins
