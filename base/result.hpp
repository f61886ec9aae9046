#pragma once

#include <string>
#include <utility>
#include <variant>

namespace bridgecast {

// A refused input or failed operation: `code` is stable and machine-readable,
// `message` is for people.
struct Error {
  std::string code;
  std::string message;
};

// Value or Error, without exceptions on the data path.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation that has no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace bridgecast
