// Result<T>: a value or an error message, returned instead of thrown. An
// error type E other than Error is one that carries more than the message
// (it has a `message` member too: error() returns that, failure() all of it).
// Every fallible function in vigil returns one, so failures are values the
// caller must look at ([[nodiscard]]), never exceptions crossing the
// system-call layer.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vigil {

struct Error {
    std::string message;
};

template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
    Result(E error) : state_(std::move(error)) {}          // NOLINT: implicit by design

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const std::string& error() const { return std::get<1>(state_).message; }
    const E& failure() const { return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

struct Unit {};
using Status = Result<Unit>;

inline Status success() { return Unit{}; }

}  // namespace vigil
