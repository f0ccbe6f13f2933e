#pragma once
// The last error of the calling thread (what lojal_last_error() and friends
// return), and how lojald's HTTP answers map to LOJAL_E_* codes.

#include <string>

#include "lojal/lojal.h"

namespace lojal::pos {

struct LastError {
    std::string message;
    std::string code;  // lojald's error code ("invalid_phone"), "" when it gave none
    int httpStatus = 0;
};

LastError& lastError();  // the calling thread's
// Records a failure on this thread and returns `result`, so callers can
// `return fail(LOJAL_E_TIMEOUT, "...")`.
int fail(int result, std::string message, int httpStatus = 0, std::string code = "");
int succeed(int httpStatus = 0);

// lojald's status and error code as a LOJAL_E_* code (LOJAL_OK for 2xx).
int codeForAnswer(int httpStatus, const std::string& errorCode);
const char* describe(int result);

}  // namespace lojal::pos
