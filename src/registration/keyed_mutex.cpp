#include "registration/keyed_mutex.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>

namespace tzr::registration {

// A waiter sleeps on its own timer; the releasing holder marks it granted and cancels the timer
// on the waiter's executor. The short re-check period covers a cancel that lands before the wait
// has started (possible when the executor is not a strand).
struct KeyedMutex::Waiter {
  explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {}
  boost::asio::steady_timer timer;
  std::atomic<bool> granted{false};
};

void KeyedMutex::Guard::release() {
  if (owner_) std::exchange(owner_, nullptr)->unlock(key_);
}

boost::asio::awaitable<KeyedMutex::Guard> KeyedMutex::lock(std::string key) {
  auto ex = co_await boost::asio::this_coro::executor;
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lk(mu_);
    auto [it, inserted] = locked_.try_emplace(key);
    if (!inserted) {
      waiter = std::make_shared<Waiter>(ex);
      it->second.waiters.push_back(waiter);
    }
  }
  while (waiter && !waiter->granted.load()) {
    waiter->timer.expires_after(std::chrono::milliseconds(50));
    co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return Guard(this, std::move(key));
}

void KeyedMutex::unlock(const std::string& key) {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lk(mu_);
    auto it = locked_.find(key);
    if (it == locked_.end()) return;
    if (it->second.waiters.empty()) {
      locked_.erase(it);
      return;
    }
    // Ownership passes to the first waiter; the key stays locked.
    next = std::move(it->second.waiters.front());
    it->second.waiters.pop_front();
    next->granted = true;
  }
  boost::asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

std::size_t KeyedMutex::held() const {
  std::lock_guard lk(mu_);
  return locked_.size();
}

}  // namespace tzr::registration
