// liblojal-tls.so: the HTTPS sessions of liblojal, through the verified client
// context the daemon's plug-ins use (plugins/VerifiedHttp).
#include <Poco/Net/HTTPSClientSession.h>

#include <map>
#include <mutex>

#include "VerifiedHttp.h"
#include "tls/TlsModule.h"

namespace {

// One context per CA file, made on first use and kept (contexts are shared by
// every session and thread-safe once made).
Poco::Net::Context::Ptr contextFor(const std::string& caFile) {
    static std::mutex mutex;
    static std::map<std::string, Poco::Net::Context::Ptr> contexts;
    std::lock_guard lock(mutex);
    auto& context = contexts[caFile];
    if (!context) {
        lojal::plugins::TlsSettings tls;
        tls.caFile = caFile;
        context = lojal::plugins::verifiedClientContext(tls);
    }
    return context;
}

}  // namespace

// A module's export on Linux; on Windows it is linked into lojal1.dll itself.
#ifdef _WIN32
#define LOJAL_TLS_EXPORT
#else
#define LOJAL_TLS_EXPORT __attribute__((visibility("default")))
#endif

extern "C" LOJAL_TLS_EXPORT Poco::Net::HTTPClientSession* lojal_tls_open_session(
    const std::string& host, unsigned short port, const std::string& caFile) {
    return new Poco::Net::HTTPSClientSession(host, port, contextFor(caFile));
}

// The type liblojal casts the symbol to.
[[maybe_unused]] static const lojal::pos::OpenTlsSession kChecked = &lojal_tls_open_session;
