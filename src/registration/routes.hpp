#pragma once
// HTTP entry points of registration: the orchestrator's POST /internal/register (direct, 422 on
// schema errors) and the public facade's POST /register (400 validation_error / bad_request).
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "registration/idempotency.hpp"
#include "registration/outcomes.hpp"
#include "registration/register_player.hpp"

#include <chrono>
#include <string>

namespace tzr::registration {

struct RegistrationHttp {
  RegisterPlayer& use_case;
  IdempotencyStore& idempotency;
  BlockingPool& blocking;
  std::size_t json_max_depth = 32;
  OutcomeRecorder* outcomes = nullptr;  // every attempt's outcome, when set
};

void add_orchestrator_routes(net::Router& router, RegistrationHttp deps);
// POST /register as the public facade answers it; the gateway calls it after its own checks
// (source: "gateway:<API key name>").
boost::asio::awaitable<net::HttpResponse> handle_public_registration(RegistrationHttp deps, net::HttpRequest& req,
                                                                     std::string source = "facade");
// Records an attempt that ended before the registration code ran (the gateway's refusals).
void record_outcome(const RegistrationHttp& deps, std::string code, std::string source, std::string login,
                    std::chrono::steady_clock::time_point started);
void add_facade_routes(net::Router& router, RegistrationHttp deps);

}  // namespace tzr::registration
