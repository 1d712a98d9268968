#pragma once
// One socket operation bounded by a deadline, for the game-socket clients (registration's game
// client, the shop bots). `timed_out` means the deadline fired first; `bytes` is what the
// operation moved even then (a write may be cut half way).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <tuple>

namespace tzr::game {

struct IoResult {
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

template <class Op>
boost::asio::awaitable<IoResult> until_deadline(Op op, std::chrono::steady_clock::time_point deadline) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, deadline);
  auto group = asio::experimental::make_parallel_group(std::move(op), timer.async_wait(asio::deferred))
                   .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  auto done = co_await std::move(group);
  IoResult result;
  if constexpr (std::tuple_size_v<decltype(done)> == 4) {  // op completes with (ec, bytes)
    result = IoResult{std::get<1>(done), std::get<2>(done)};
  } else {  // op completes with (ec)
    result = IoResult{std::get<1>(done), 0};
  }
  if (std::get<0>(done)[0] == 1) result.ec = asio::error::timed_out;
  co_return result;
}

}  // namespace tzr::game
