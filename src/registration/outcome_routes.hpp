#pragma once
// The operator's reads of registration outcomes (outcomes.hpp), on the registration service behind
// its admin bearer: GET /admin/registrations/outcomes (newest first, keyset pages, code and time
// filters) and GET /admin/registrations/summary (counts by code and per UTC day). Both write the
// queued outcomes first, so an answer includes every attempt this process finished before it.
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "registration/outcomes.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>

namespace tzr::registration {

void add_outcome_routes(net::Router& router, OutcomeRecorder& recorder, BlockingPool& blocking);

// Writes queued outcomes every `every` and deletes those older than retention_days once an hour,
// on the blocking pool, until the executor stops. recorder and blocking must outlive it.
void start_outcome_writer(boost::asio::any_io_executor executor, OutcomeRecorder& recorder, BlockingPool& blocking,
                          std::int64_t retention_days, std::chrono::milliseconds every = std::chrono::seconds(1));

}  // namespace tzr::registration
