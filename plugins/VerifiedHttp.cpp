#include "VerifiedHttp.h"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>

namespace lojal::plugins {

std::unique_ptr<Poco::Net::HTTPClientSession> SessionFactory::open(const Poco::URI& uri,
                                                                   int timeoutMs) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
        if (!context_) {
            // Only now: OpenSSL's start-up touches megabytes that a store without
            // https providers never needs.
            static const bool initialized = [] {
                Poco::Net::initializeSSL();
                return true;
            }();
            (void)initialized;
            context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile_,
                                              Poco::Net::Context::VERIFY_STRICT, 9, false);
            context_->disableProtocols(
                Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        }
        session =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context_);
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(0, timeoutMs * 1000));
    return session;
}

}  // namespace lojal::plugins
