#pragma once
// The handle behind lojal_client* and what every entry point shares: the
// catch-all, argument checks and library-allocated results.

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <string>

#include "Client.h"
#include "Errors.h"
#include "ThreadSignals.h"
#include "lojal/lojal.h"

namespace lojal::pos {

// A terminal flow this handle started, for lojal_terminal_wait().
struct TerminalOp {
    std::string terminal;
    int flowId = 0;
    std::string reference;
};

// What a lojal_client* points to. The public struct is never defined, so it
// stays opaque in the library's debug information too, and the ABI gate never
// sees this layout (which may change in any release).
struct Handle {
    Handle(Endpoint endpoint, std::string token) : client(std::move(endpoint), std::move(token)) {}
    Client client;
    std::mutex opsMutex;
    std::map<uint64_t, TerminalOp> ops;  // the newest 256
    uint64_t nextOp = 1;
};

inline Handle* handleOf(lojal_client* client) {
    return reinterpret_cast<Handle*>(client);
}
inline lojal_client* publicHandle(Handle* handle) {
    return reinterpret_cast<lojal_client*>(handle);
}

// Runs an entry point's body: no exception leaves it, and SIGPIPE raised by its
// sockets never reaches the host.
template <typename Body>
int guarded(Body&& body) noexcept {
    try {
        SigpipeGuard sigpipe;
        return body();
    } catch (const std::bad_alloc&) {
        return fail(LOJAL_E_NOMEM, "out of memory");
    } catch (const Poco::Exception& e) {
        return fail(LOJAL_E_INTERNAL, "unexpected: " + e.displayText());
    } catch (const std::exception& e) {
        return fail(LOJAL_E_INTERNAL, std::string("unexpected: ") + e.what());
    } catch (...) {
        return fail(LOJAL_E_INTERNAL, "unexpected exception");
    }
}

char* copyOut(const std::string& text);  // malloc'd, for lojal_free()
int invalid(const std::string& why);
// Text a caller passes: not NULL, 1 to `max` bytes, no control characters.
bool plainText(const char* text, size_t max);
// 1 to `max` of A-Z a-z 0-9 . _ : -
bool idChars(const std::string& text, size_t max);
std::string stringify(const Poco::JSON::Object& object);
std::optional<Poco::JSON::Object::Ptr> parseObject(const std::string& json, const char* what);
std::string newKey();  // a random UUID (version 4)
// A request whose 2xx body goes to *out.
int call(Handle* handle, const HttpRequestSpec& spec, int timeoutMs, char** out);
HttpRequestSpec postJson(std::string target, std::string body, bool resendable);

}  // namespace lojal::pos
