#include "VerifiedHttp.h"

#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>

#include <Poco/Net/SSLManager.h>
#include <algorithm>
#include <charconv>

#ifdef _WIN32
// wincrypt.h first: OpenSSL's headers undo the names it defines (X509_NAME...).
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
// clang-format on
#endif

namespace lojal::plugins {

#ifdef _WIN32
namespace {

// What Windows itself trusts (the machine's Trusted Root Certification
// Authorities, kept current by Windows Update), added to the context's OpenSSL
// store: the number of certificates added.
int trustWindowsRootStore(Poco::Net::Context& context) {
    HCERTSTORE store =
        ::CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                        CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG, L"ROOT");
    if (!store) return 0;
    X509_STORE* trusted = ::SSL_CTX_get_cert_store(context.sslContext());
    int added = 0;
    for (PCCERT_CONTEXT cert = ::CertEnumCertificatesInStore(store, nullptr); cert;
         cert = ::CertEnumCertificatesInStore(store, cert)) {
        const unsigned char* der = cert->pbCertEncoded;
        X509* x509 = ::d2i_X509(nullptr, &der, static_cast<long>(cert->cbCertEncoded));
        if (!x509) continue;
        if (::X509_STORE_add_cert(trusted, x509) == 1) ++added;
        ::X509_free(x509);
    }
    ::CertCloseStore(store, 0);
    return added;
}

}  // namespace
#endif

Poco::Net::Context::Ptr verifiedClientContext(const TlsSettings& tls) {
    // Only on the first https use: OpenSSL's start-up touches megabytes that a
    // store without https peers never needs.
    static const bool initialized = [] {
        Poco::Net::initializeSSL();
        return true;
    }();
    (void)initialized;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, tls.clientKeyFile, tls.clientCertFile, tls.caFile,
        Poco::Net::Context::VERIFY_STRICT, 9, false);
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
#ifdef _WIN32
    if (tls.caFile.empty()) trustWindowsRootStore(*context);
#endif
    return context;
}

std::unique_ptr<Poco::Net::HTTPClientSession> SessionFactory::open(const Poco::URI& uri,
                                                                   int timeoutMs) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
        std::lock_guard lock(contextMutex_);
        if (!context_) context_ = verifiedClientContext(tls_);
        session =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context_);
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(0, timeoutMs * 1000));
    return session;
}

std::optional<HttpAnswer> exchange(SessionFactory& sessions, const HttpCall& call,
                                   std::string& why) {
    try {
        auto session = sessions.open(call.uri, call.timeoutMs);
        Poco::Net::HTTPRequest request(call.method, call.uri.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : call.headers) request.set(name, value);
        if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
            request.setContentType(call.contentType);
            request.setContentLength64(static_cast<Poco::Int64>(call.body.size()));
        }
        session->sendRequest(request) << call.body;
        Poco::Net::HTTPResponse response;
        HttpAnswer answer;
        Poco::StreamCopier::copyToString(session->receiveResponse(response), answer.body);
        answer.status = response.getStatus();
        answer.retryAfter = response.get("Retry-After", "");
        return answer;
    } catch (const Poco::Exception& e) {
        why = e.displayText();
        return std::nullopt;
    }
}

int parseRetryAfter(const std::string& value) {
    int seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size()) return std::max(0, seconds);
    try {
        int zone = 0;
        const Poco::DateTime when = Poco::DateTimeParser::parse(value, zone);
        const auto delta = (when.timestamp() - Poco::Timestamp()) / Poco::Timestamp::resolution();
        return static_cast<int>(std::max<Poco::Timestamp::TimeDiff>(0, delta));
    } catch (const Poco::Exception&) {
        return 0;
    }
}

}  // namespace lojal::plugins
