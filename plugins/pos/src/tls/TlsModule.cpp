// Part of liblojal: finds and loads liblojal-tls.so beside the library.
#include "tls/TlsModule.h"

#ifdef _WIN32

// lojal1.dll links the https part in (OpenSSL is static there; a DLL that
// carries its own module loader buys nothing on a till with one DLL).
extern "C" Poco::Net::HTTPClientSession* lojal_tls_open_session(const std::string& host,
                                                                unsigned short port,
                                                                const std::string& caFile);

namespace lojal::pos {

OpenTlsSession tlsSessionFactory(std::string&) {
    return &lojal_tls_open_session;
}

}  // namespace lojal::pos

#else

#include <dlfcn.h>

#include <mutex>

namespace lojal::pos {

OpenTlsSession tlsSessionFactory(std::string& why) {
    // Once per process, on the first https use; the module stays loaded (as
    // liblojal does, -z nodelete), so a factory handed out never dangles.
    static std::once_flag loaded;
    static OpenTlsSession factory = nullptr;
    static std::string failure;
    std::call_once(loaded, [] {
        Dl_info self{};
        if (dladdr(reinterpret_cast<void*>(&tlsSessionFactory), &self) == 0 || !self.dli_fname) {
            failure = "cannot tell where liblojal is, to find its TLS module";
            return;
        }
        std::string path = self.dli_fname;
        path = path.substr(0, path.rfind('/') + 1) + kTlsModulePath;
        void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!module) {
            const char* error = dlerror();
            failure = "https needs " + path + ": " + (error ? error : "cannot load it");
            return;
        }
        factory = reinterpret_cast<OpenTlsSession>(dlsym(module, kOpenTlsSessionSymbol));
        if (!factory) failure = path + " lacks " + kOpenTlsSessionSymbol;
    });
    if (!factory) why = failure;
    return factory;
}

}  // namespace lojal::pos

#endif  // _WIN32
