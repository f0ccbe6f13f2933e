#pragma once
// Refusals with an API code, and the checks every text field of a request body
// gets: type, length, control characters.

#include <Poco/JSON/Object.h>

#include <string>
#include <variant>

#include "core/Result.h"

namespace lojal {

// A refusal the API turns into status + {"error":{code,message}} (+ Retry-After).
struct Refusal {
    int status;
    std::string code;
    std::string message;
    int retryAfterSeconds = 0;
};

// A string field: missing (when required) -> missing_field; not a string, empty,
// longer than maxLength bytes or with control characters -> invalid_field.
std::variant<std::string, Refusal> textField(const Poco::JSON::Object& body,
                                             const std::string& name, size_t maxLength,
                                             bool required, bool allowNewlines = false);

// An Error whose message reads "code: human text" (as parseMobileNumber gives).
Refusal refusalFromCodedError(const Error& error, int status = 400);

// A write the database refused: 503 storage_full when the disk is full, else
// storage_unavailable. what says what was not stored ("the receipt").
Refusal storageRefusal(const Error& error, const std::string& what);

}  // namespace lojal
