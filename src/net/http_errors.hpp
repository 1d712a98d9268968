#pragma once
// The one place where error kinds become HTTP statuses, and the one error body:
// {"ok":false,"error":"<code>","message":"<text>","request_id":"<id>"[,"fields":{...}]}
#include "core/error.hpp"
#include "net/http_types.hpp"

#include <string_view>

namespace tzr::net {

int http_status(ErrorKind kind);
HttpResponse error_response(const Error& error, std::string_view request_id);

}  // namespace tzr::net
