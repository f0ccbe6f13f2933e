#pragma once
// Errors as values at module boundaries (see STYLE.md): a small error enum plus a
// human message, carried in Result<T>. Exceptions stay inside a module.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace lojal {

// notFound and permission let callers tell "device unplugged" from "misconfigured".
// noSpace: the disk (or a quota) is full, so the caller can say so rather than "I/O error".
enum class ErrorCode { arg, io, timeout, data, unsupported, busy, notFound, permission, noSpace };

const char* toString(ErrorCode code);

struct Error {
    ErrorCode code;
    std::string message;
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() {
        assert(ok());
        return std::get<T>(state_);
    }
    const T& value() const {
        assert(ok());
        return std::get<T>(state_);
    }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<Error>(state_);
    }

  private:
    std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status okStatus() {
    return Unit{};
}

}  // namespace lojal
