#include "net/http_errors.hpp"

#include <boost/json/object.hpp>

namespace tzr::net {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request: return 400;
    case ErrorKind::validation: return 400;
    case ErrorKind::unauthorized: return 401;
    case ErrorKind::forbidden: return 403;
    case ErrorKind::not_found: return 404;
    case ErrorKind::method_not_allowed: return 405;
    case ErrorKind::timeout_client: return 408;
    case ErrorKind::conflict: return 409;
    case ErrorKind::payload_too_large: return 413;
    case ErrorKind::unsupported_media_type: return 415;
    case ErrorKind::unprocessable: return 422;
    case ErrorKind::too_many_requests: return 429;
    case ErrorKind::headers_too_large: return 431;
    case ErrorKind::internal: return 500;
    case ErrorKind::bad_gateway: return 502;
    case ErrorKind::unavailable: return 503;
    case ErrorKind::gateway_timeout: return 504;
  }
  return 500;
}

HttpResponse error_response(const Error& error, std::string_view request_id) {
  boost::json::object body;
  body["ok"] = false;
  body["error"] = error.code;
  body["message"] = error.message;
  if (request_id.empty()) body["request_id"] = nullptr;
  else body["request_id"] = request_id;
  if (!error.fields.empty()) {
    boost::json::object fields;
    for (const auto& f : error.fields) fields[f.field] = f.message;
    body["fields"] = std::move(fields);
  }
  return HttpResponse::json(http_status(error.kind), body);
}

}  // namespace tzr::net
