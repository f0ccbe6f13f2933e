#include "signup/RequestFields.h"

#include <algorithm>

namespace lojal {
namespace {

bool hasControlCharacters(const std::string& text) {
    return std::any_of(text.begin(), text.end(),
                       [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace

std::variant<std::string, Refusal> textField(const Poco::JSON::Object& body,
                                             const std::string& name, size_t maxLength,
                                             bool required, bool allowNewlines) {
    if (!body.has(name) || body.isNull(name)) {
        if (required) return Refusal{400, "missing_field", "field '" + name + "' is required"};
        return std::string();
    }
    const auto value = body.get(name);
    if (!value.isString())
        return Refusal{400, "invalid_field", "field '" + name + "' must be a string"};
    std::string text = value.extract<std::string>();
    if (text.empty() && required)
        return Refusal{400, "invalid_field", "field '" + name + "' must not be empty"};
    if (text.size() > maxLength) {
        return Refusal{
            400, "invalid_field",
            "field '" + name + "' is longer than " + std::to_string(maxLength) + " bytes"};
    }
    std::string checked = text;
    if (allowNewlines) std::replace(checked.begin(), checked.end(), '\n', ' ');
    if (hasControlCharacters(checked)) {
        return Refusal{400, "invalid_field", "field '" + name + "' contains control characters"};
    }
    return text;
}

Refusal refusalFromCodedError(const Error& error, int status) {
    const size_t colon = error.message.find(": ");
    if (colon == std::string::npos) return Refusal{status, "invalid_field", error.message};
    return Refusal{status, error.message.substr(0, colon), error.message.substr(colon + 2)};
}

Refusal storageRefusal(const Error& error, const std::string& what) {
    const bool full = error.code == ErrorCode::noSpace;
    std::string message = what;
    message += full ? " was not stored: the disk is full (" : " was not stored: ";
    message += error.message;
    if (full) message += ")";
    return Refusal{503, full ? "storage_full" : "storage_unavailable", message, 5};
}

}  // namespace lojal
