#pragma once
// Asynchronous per-key mutual exclusion for coroutines: at most one holder per key; waiters
// resume in arrival order. Used to serialise registrations of one login or one Telegram user
// inside this process (across processes, the game DB's named locks take over).
#include <boost/asio/awaitable.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tzr::registration {

class KeyedMutex {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(KeyedMutex* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    Guard(Guard&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    Guard& operator=(Guard&& o) noexcept {
      release();
      owner_ = std::exchange(o.owner_, nullptr);
      key_ = std::move(o.key_);
      return *this;
    }
    ~Guard() { release(); }
    void release();

   private:
    KeyedMutex* owner_ = nullptr;
    std::string key_;
  };

  boost::asio::awaitable<Guard> lock(std::string key);
  std::size_t held() const;  // keys currently locked (tests, metrics)

 private:
  void unlock(const std::string& key);
  struct Waiter;
  struct Entry {
    std::deque<std::shared_ptr<Waiter>> waiters;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> locked_;
};

}  // namespace tzr::registration
