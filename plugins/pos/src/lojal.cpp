// The C entry points: argument checks, a catch-all so no C++ exception crosses
// into the host, SIGPIPE kept from the host, and library-allocated results.

#include "lojal/lojal.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Net.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <random>
#include <sstream>

#include "Handle.h"

using namespace lojal::pos;

namespace lojal::pos {

char* copyOut(const std::string& text) {
    char* copy = static_cast<char*>(std::malloc(text.size() + 1));
    if (!copy) throw std::bad_alloc();
    std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

int invalid(const std::string& why) {
    return fail(LOJAL_E_INVALID_ARG, why);
}

bool plainText(const char* text, size_t max) {
    if (!text) return false;
    const size_t length = std::strlen(text);
    if (length == 0 || length > max) return false;
    for (size_t i = 0; i < length; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

bool idChars(const std::string& text, size_t max) {
    if (text.empty() || text.size() > max) return false;
    for (const char c : text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
            c != ':')
            return false;
    }
    return true;
}

std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::optional<Poco::JSON::Object::Ptr> parseObject(const std::string& json, const char* what) {
    try {
        Poco::JSON::Parser parser;
        auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
        if (object) return object;
    } catch (const Poco::Exception& e) {
        invalid(std::string(what) + " is not a JSON object: " + e.message());
        return std::nullopt;
    }
    invalid(std::string(what) + " is not a JSON object");
    return std::nullopt;
}

std::string newKey() {
    std::random_device random;
    unsigned char bytes[16];
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static const char kHex[] = "0123456789abcdef";
    std::string key;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) key += '-';
        key += kHex[bytes[i] >> 4];
        key += kHex[bytes[i] & 15];
    }
    return key;
}

// A request whose 2xx body goes to *out.
int call(Handle* handle, const HttpRequestSpec& spec, int timeoutMs, char** out) {
    HttpAnswer answer;
    const int result = handle->client.request(spec, timeoutMs, answer);
    if (result == LOJAL_OK && out) *out = copyOut(answer.body);
    return result;
}

HttpRequestSpec postJson(std::string target, std::string body, bool resendable) {
    HttpRequestSpec spec;
    spec.method = "POST";
    spec.target = std::move(target);
    spec.body = std::move(body);
    spec.resendable = resendable;
    return spec;
}

}  // namespace lojal::pos

namespace {

std::string queryValue(const std::string& value) {
    std::string encoded;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% ", encoded);
    return encoded;
}

}  // namespace

extern "C" {

LOJAL_API int LOJAL_CALL lojal_version(void) {
    return LOJAL_VERSION_NUMBER;
}

LOJAL_API const char* LOJAL_CALL lojal_version_string(void) {
#define LOJAL_STR2(x) #x
#define LOJAL_STR(x) LOJAL_STR2(x)
    return LOJAL_STR(LOJAL_VERSION_MAJOR) "." LOJAL_STR(LOJAL_VERSION_MINOR) "." LOJAL_STR(
        LOJAL_VERSION_PATCH);
}

LOJAL_API const char* LOJAL_CALL lojal_strerror(int code) {
    return describe(code);
}

LOJAL_API const char* LOJAL_CALL lojal_last_error(void) {
    return lastError().message.c_str();
}

LOJAL_API int LOJAL_CALL lojal_last_http_status(void) {
    return lastError().httpStatus;
}

LOJAL_API const char* LOJAL_CALL lojal_last_error_code(void) {
    return lastError().code.c_str();
}

LOJAL_API void LOJAL_CALL lojal_free(void* p) {
    std::free(p);
}

LOJAL_API int LOJAL_CALL lojal_idempotency_key_new(char** out_key) {
    return guarded([&] {
        if (!out_key) return invalid("out_key is NULL");
        *out_key = copyOut(newKey());
        return succeed();
    });
}

LOJAL_API int LOJAL_CALL lojal_client_new(const char* url, const char* token,
                                          lojal_client** out_client) {
    return guarded([&] {
        if (!out_client) return invalid("out_client is NULL");
        *out_client = nullptr;
        if (!plainText(url, 512)) return invalid("url is NULL, empty or holds control characters");
        if (!plainText(token, 512) || std::strchr(token, ' '))
            return invalid("token is NULL, empty, longer than 512 bytes or holds spaces");
        std::string why;
        auto endpoint = parseEndpoint(url, why);
        if (!endpoint) return invalid(why);
#ifdef _WIN32
        // Poco starts Winsock by itself only when built with MSVC.
        static std::once_flag network;
        std::call_once(network, [] { Poco::Net::initializeNetwork(); });
#endif
        auto handle = std::make_unique<Handle>(std::move(*endpoint), token);
        handle->client.events().setEnabled(true);
        *out_client = publicHandle(handle.release());
        return succeed();
    });
}

LOJAL_API void LOJAL_CALL lojal_client_free(lojal_client* client) {
    guarded([&] {
        if (!client) return succeed();
        if (handleOf(client)->client.events().onEventThread())
            return fail(LOJAL_E_INVALID_ARG,
                        "lojal_client_free() from the event callback is ignored");
        delete handleOf(client);
        return succeed();
    });
}

LOJAL_API int LOJAL_CALL lojal_set_option_int(lojal_client* client, lojal_option option,
                                              int64_t value) {
    return guarded([&] {
        if (!client) return invalid("client is NULL");
        return handleOf(client)->client.setOption(static_cast<int>(option), value);
    });
}

LOJAL_API int LOJAL_CALL lojal_set_option_str(lojal_client* client, lojal_option option,
                                              const char* value) {
    return guarded([&] {
        if (!client) return invalid("client is NULL");
        return handleOf(client)->client.setOption(static_cast<int>(option), value);
    });
}

LOJAL_API int LOJAL_CALL lojal_cancel(lojal_client* client) {
    return guarded([&] {
        if (!client) return invalid("client is NULL");
        handleOf(client)->client.cancel();
        return succeed();
    });
}

LOJAL_API int LOJAL_CALL lojal_health(lojal_client* client, int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        Client& c = handleOf(client)->client;
        BoundedCall bounded(c, timeout_ms, c.options().requestTimeoutMs, false);
        if (bounded.status() != LOJAL_OK) return bounded.status();
        HttpAnswer answer;
        const int result = c.checkVersion(bounded.call(), &answer);
        if (answer.status != 0) *out_json = copyOut(answer.body);
        if (result != LOJAL_OK) return result;
        if (answer.status != 200)
            return fail(LOJAL_E_UNAVAILABLE, "lojald is degraded: its database does not answer",
                        answer.status);
        return succeed(answer.status);
    });
}

LOJAL_API int LOJAL_CALL lojal_signup(lojal_client* client, const char* phone,
                                      const char* consent_json, const char* idempotency_key,
                                      int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!plainText(phone, 64)) return invalid("phone is NULL, empty or longer than 64 bytes");
        if (!consent_json) return invalid("consent_json is NULL");
        if (idempotency_key && !idChars(idempotency_key, 128))
            return invalid("idempotency_key must be 1-128 of A-Z a-z 0-9 . _ : -");
        const auto consent = parseObject(consent_json, "consent_json");
        if (!consent) return LOJAL_E_INVALID_ARG;
        Poco::JSON::Object body;
        {
            Options& options = handleOf(client)->client.options();
            std::lock_guard lock(options.mutex);
            if (options.registerId.empty() || options.cashierId.empty())
                return invalid("set LOJAL_OPT_REGISTER_ID and LOJAL_OPT_CASHIER_ID first");
            body.set("register_id", options.registerId);
            body.set("cashier_id", options.cashierId);
            if (!options.locale.empty()) body.set("locale", options.locale);
        }
        body.set("phone", std::string(phone));
        body.set("consent", *consent);
        HttpRequestSpec spec = postJson("/v1/signups", stringify(body), true);
        spec.headers.emplace_back("Idempotency-Key", idempotency_key ? idempotency_key : newKey());
        return call(handleOf(client), spec, timeout_ms, out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_member_lookup(lojal_client* client, lojal_lookup by,
                                             const char* value, int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!plainText(value, 512)) return invalid("value is NULL, empty or longer than 512 bytes");
        const char* key = by == LOJAL_LOOKUP_PHONE  ? "phone"
                          : by == LOJAL_LOOKUP_CARD ? "card"
                          : by == LOJAL_LOOKUP_QR   ? "token"
                                                    : nullptr;
        if (!key) return invalid("by must be LOJAL_LOOKUP_PHONE, _CARD or _QR");
        HttpRequestSpec spec;
        spec.target = std::string("/v1/members/lookup?") + key + "=" + queryValue(value);
        spec.resendable = true;
        return call(handleOf(client), spec, timeout_ms, out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_receipt_submit(lojal_client* client, const char* receipt_json,
                                              const char* idempotency_key, int timeout_ms,
                                              char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!receipt_json) return invalid("receipt_json is NULL");
        if (idempotency_key && !idChars(idempotency_key, 128))
            return invalid("idempotency_key must be 1-128 of A-Z a-z 0-9 . _ : -");
        const auto receipt = parseObject(receipt_json, "receipt_json");
        if (!receipt) return LOJAL_E_INVALID_ARG;
        Poco::JSON::Object::Ptr body = *receipt;
        if (body->has("receipt_id")) {
            if (idempotency_key && body->optValue<std::string>("receipt_id", "") != idempotency_key)
                return invalid("the receipt's receipt_id and idempotency_key differ");
        } else {
            body->set("receipt_id", idempotency_key ? std::string(idempotency_key) : newKey());
        }
        // lojald stores a receipt once per receipt_id: sending it again is safe.
        return call(handleOf(client), postJson("/v1/receipts", stringify(*body), true), timeout_ms,
                    out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_otp_start(lojal_client* client, const char* phone, int timeout_ms,
                                         char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!plainText(phone, 64)) return invalid("phone is NULL, empty or longer than 64 bytes");
        Poco::JSON::Object body;
        body.set("phone", std::string(phone));
        {
            Options& options = handleOf(client)->client.options();
            std::lock_guard lock(options.mutex);
            if (!options.locale.empty()) body.set("locale", options.locale);
        }
        return call(handleOf(client), postJson("/v1/otp", stringify(body), false), timeout_ms,
                    out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_otp_verify(lojal_client* client, const char* phone, const char* code,
                                          int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!plainText(phone, 64)) return invalid("phone is NULL, empty or longer than 64 bytes");
        if (!plainText(code, 16)) return invalid("code is NULL, empty or longer than 16 bytes");
        Poco::JSON::Object body;
        body.set("phone", std::string(phone));
        body.set("code", std::string(code));
        // Never sent twice: every try counts against the PIN.
        return call(handleOf(client), postJson("/v1/otp/verify", stringify(body), false),
                    timeout_ms, out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_request(lojal_client* client, const char* method, const char* path,
                                       const char* body, int timeout_ms, int* out_http_status,
                                       char** out_body) {
    return guarded([&] {
        if (!client || !out_body) return invalid("client or out_body is NULL");
        *out_body = nullptr;
        if (out_http_status) *out_http_status = 0;
        static const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
        const bool knownMethod =
            method && std::any_of(std::begin(kMethods), std::end(kMethods),
                                  [&](const char* m) { return !std::strcmp(m, method); });
        if (!knownMethod) return invalid("method must be GET, POST, PUT, DELETE or PATCH");
        if (!plainText(path, 2048) || path[0] != '/' || std::strchr(path, ' '))
            return invalid("path must start with / and hold no spaces or control characters");
        HttpRequestSpec spec;
        spec.method = method;
        spec.target = path;
        if (body) spec.body = std::string(body);
        spec.resendable = spec.method == "GET";
        HttpAnswer answer;
        const int result = handleOf(client)->client.request(spec, timeout_ms, answer);
        if (answer.status != 0) {
            if (out_http_status) *out_http_status = answer.status;
            *out_body = copyOut(answer.body);
        }
        return result;
    });
}

}  // extern "C"
