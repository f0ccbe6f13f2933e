#include "Errors.h"

namespace lojal::pos {

LastError& lastError() {
    thread_local LastError error;
    return error;
}

int fail(int result, std::string message, int httpStatus, std::string code) {
    LastError& error = lastError();
    error.message = std::move(message);
    error.code = std::move(code);
    error.httpStatus = httpStatus;
    return result;
}

int succeed(int httpStatus) {
    LastError& error = lastError();
    error.message.clear();
    error.code.clear();
    error.httpStatus = httpStatus;
    return LOJAL_OK;
}

int codeForAnswer(int httpStatus, const std::string& errorCode) {
    if (httpStatus >= 200 && httpStatus < 300) return LOJAL_OK;
    if (errorCode == "flow_in_progress" || errorCode == "busy") return LOJAL_E_BUSY;
    if (errorCode == "terminal_not_found") return LOJAL_E_NOT_FOUND;
    switch (httpStatus) {
        case 400:
        case 413:
        case 415:
        case 431: return LOJAL_E_INVALID_ARG;
        case 401: return LOJAL_E_UNAUTHORIZED;
        case 403:
        case 421: return LOJAL_E_FORBIDDEN;
        case 404:
        case 405: return LOJAL_E_NOT_FOUND;
        case 408: return LOJAL_E_TIMEOUT;
        case 409: return LOJAL_E_CONFLICT;
        case 410: return LOJAL_E_EXPIRED;
        case 429: return LOJAL_E_RATE_LIMITED;
        case 500: return LOJAL_E_INTERNAL;
        case 503: return LOJAL_E_UNAVAILABLE;
        default: return LOJAL_E_PROTOCOL;
    }
}

const char* describe(int result) {
    switch (result) {
        case LOJAL_OK: return "success";
        case LOJAL_E_INVALID_ARG: return "invalid argument";
        case LOJAL_E_TIMEOUT: return "timed out";
        case LOJAL_E_UNAVAILABLE: return "lojald or the device is unavailable";
        case LOJAL_E_UNAUTHORIZED: return "the token is not known to lojald";
        case LOJAL_E_FORBIDDEN: return "the token's role may not do this";
        case LOJAL_E_NOT_FOUND: return "not found";
        case LOJAL_E_CONFLICT: return "conflicts with what is stored";
        case LOJAL_E_BUSY: return "busy";
        case LOJAL_E_RATE_LIMITED: return "rate limited";
        case LOJAL_E_CANCELLED: return "cancelled";
        case LOJAL_E_VERSION: return "lojald speaks another major API version";
        case LOJAL_E_PROTOCOL: return "unexpected answer from lojald";
        case LOJAL_E_NOMEM: return "out of memory";
        case LOJAL_E_INTERNAL: return "internal error";
        case LOJAL_E_EXPIRED: return "expired";
        default: return "unknown error code";
    }
}

}  // namespace lojal::pos
