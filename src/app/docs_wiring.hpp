#pragma once
// The API reference of the gateway (gateway.docs): which documents /docs/ lists and, per service,
// the server its "Try it out" calls for this configuration.
#include "apidocs/docs_site.hpp"
#include "core/config.hpp"

namespace tzr::app {

// Every embedded document. The gateway's own API is called on this origin; the services behind
// the dashboard's proxy through /ui/api/<name> (with the dashboard on: the operator's session
// and role apply there); the others are listed with their direct URL and no "Try it out".
apidocs::DocsOptions docs_options(const Config& config, bool dashboard);

}  // namespace tzr::app
