#pragma once
// Errors are values: every failure a caller can see carries a kind (which decides the HTTP
// status, in one place: net/http_errors.cpp) and a stable, machine-readable code.
#include <boost/system/result.hpp>

#include <stdexcept>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tzr {

enum class ErrorKind {
  bad_request,        // 400: malformed input (syntax)
  validation,         // 400: well-formed input that breaks a rule (per-field messages)
  unauthorized,       // 401
  forbidden,          // 403
  not_found,          // 404
  method_not_allowed, // 405
  timeout_client,     // 408
  conflict,           // 409
  payload_too_large,  // 413
  unsupported_media_type,  // 415
  unprocessable,      // 422
  headers_too_large,  // 431
  too_many_requests,  // 429
  internal,           // 500
  bad_gateway,        // 502
  unavailable,        // 503
  gateway_timeout,    // 504
};

struct FieldError {
  std::string field;
  std::string message;
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string code;     // stable, snake_case, part of the API
  std::string message;  // human text for the client; never secrets or internals
  std::vector<FieldError> fields;

  static Error make(ErrorKind kind, std::string code, std::string message) {
    return Error{kind, std::move(code), std::move(message), {}};
  }
  static Error bad_request(std::string message, std::string code = "bad_request") {
    return make(ErrorKind::bad_request, std::move(code), std::move(message));
  }
  static Error internal(std::string message = "internal error") {
    return make(ErrorKind::internal, "internal_error", std::move(message));
  }
  static Error unavailable(std::string code, std::string message) {
    return make(ErrorKind::unavailable, std::move(code), std::move(message));
  }
};

template <class T>
using Result = boost::system::result<T, Error>;
using Status = boost::system::result<void, Error>;

// Thrown only when code calls .value() on a failed Result (a programming error).
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error e) : std::runtime_error(e.code + ": " + e.message), error_(std::move(e)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace tzr
