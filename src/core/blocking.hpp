#pragma once
// A bounded pool for blocking work (database calls, file I/O), so that I/O threads never block.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace tzr {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads == 0 ? 1 : threads) {}
  ~BlockingPool() { pool_.join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn on the pool; the awaiting coroutine resumes on its own executor.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F>> run(F fn) {
    using R = std::invoke_result_t<F>;
    // Separate statements: GCC 12 mishandles `co_return co_await …`.
    auto work = [f = std::move(fn)]() mutable -> boost::asio::awaitable<R> { co_return f(); };
    if constexpr (std::is_void_v<R>) {
      co_await boost::asio::co_spawn(pool_.get_executor(), std::move(work), boost::asio::use_awaitable);
    } else {
      R result = co_await boost::asio::co_spawn(pool_.get_executor(), std::move(work), boost::asio::use_awaitable);
      co_return result;
    }
  }

  void stop() { pool_.stop(); pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace tzr
